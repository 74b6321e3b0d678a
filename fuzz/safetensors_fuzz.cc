// A safetensors file from a stranger: the header and every offset are checked before use.
#include <cstddef>
#include <cstdint>
#include <string>

#include "checkpoint/safetensors.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto file = cola::checkpoint::safetensors::File::parse(
        std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    (void)file;
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  return 0;
}
