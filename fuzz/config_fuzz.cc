// Command-line overrides, config YAML and a checkpoint's config.json: a typo is a UsageError
// naming the key, an absurd size one line before anything is allocated.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/bind.h"
#include "config/override.h"
#include "core/error.h"
#include "model/bert_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    cola::config::parse_override(text);
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  try {
    cola::model::BertConfig::from_json(text, "config.json");  // a checkpoint's config.json
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  try {
    cola::config::bind_app_config(YAML::Load(text));
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  } catch (const YAML::Exception&) {  // the composer reports these with the file's name
  }
  return 0;
}
