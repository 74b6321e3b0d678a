// `cola serve`'s request bodies: anything that is not a valid request is a 4xx ApiError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "serve/api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    cola::serve::parse_predict(body, 32);
  } catch (const cola::serve::ApiError& e) {
    if (e.status < 400 || e.status > 499) __builtin_trap();
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  return 0;
}
