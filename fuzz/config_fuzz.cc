// Command-line overrides, config YAML, a checkpoint's config.json and a run's .hydra record (what
// training.resume=RUN reads): a typo is a UsageError naming the key or file, an absurd size one
// line before anything is allocated.
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "config/bind.h"
#include "config/override.h"
#include "config/resume.h"
#include "core/error.h"
#include "spec/bert_config.h"

namespace {

namespace fs = std::filesystem;

// A run directory with a checkpoint, whose .hydra record is rewritten for each input: the text up
// to the first NUL is .hydra/config.yaml, up to the second .hydra/overrides.yaml, and the rest an
// override given beside training.resume.
void resume_from(const std::string& text) {
  static const fs::path run = [] {
    const auto dir = fs::temp_directory_path() / ("cola-config-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(dir / ".hydra");
    fs::create_directories(dir / "checkpoints" / "last");
    return dir;
  }();
  const auto cut = [&](size_t from) {
    const auto end = text.find('\0', from);
    return end == std::string::npos ? text.size() : end;
  };
  const size_t a = cut(0);
  const size_t b = a < text.size() ? cut(a + 1) : a;
  std::ofstream(run / ".hydra" / "config.yaml", std::ios::binary) << text.substr(0, a);
  std::ofstream(run / ".hydra" / "overrides.yaml", std::ios::binary)
      << (a < text.size() ? text.substr(a + 1, b - a - 1) : "");
  std::vector<std::string> overrides{"training.resume=" + run.string()};
  if (b < text.size()) overrides.push_back(text.substr(b + 1));
  try {
    cola::config::resumed_run(overrides);
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    cola::config::parse_override(text);
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  try {
    cola::spec::BertConfig::from_json(text, "config.json");  // a checkpoint's config.json
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  try {
    cola::config::bind_app_config(YAML::Load(text));
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  } catch (const YAML::Exception&) {  // the composer reports these with the file's name
  }
  resume_from(text);
  return 0;
}
