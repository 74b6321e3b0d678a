// Command-line overrides and config YAML from the user: a typo is a UsageError naming the key.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/bind.h"
#include "config/override.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    cola::config::parse_override(text);
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
