// `cola serve`'s request bodies and paths: every parser of outside input gets the same bytes (TEI's
// /predict, the Inference API's POST /, KServe v2's infer and model paths, SageMaker's CSV and
// JSON). Anything that is not a valid request must be a 4xx ApiError, nothing else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "serve/api.h"
#include "serve/oip.h"
#include "serve/sagemaker.h"

namespace {

template <class Parse>
void expect_4xx_or_success(Parse parse) {
  try {
    parse();
  } catch (const cola::serve::ApiError& e) {
    if (e.status < 400 || e.status > 499) __builtin_trap();
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cola::serve;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  expect_4xx_or_success([&] { parse_predict(body, 32); });
  expect_4xx_or_success([&] { parse_classification(body, 32, 2); });
  expect_4xx_or_success([&] { parse_oip_infer(body, 32); });
  expect_4xx_or_success([&] { parse_invocation("text/csv", body, 32); });
  expect_4xx_or_success([&] { parse_invocation("application/json; charset=utf-8", body, 32); });
  expect_4xx_or_success([&] {
    if (const auto path = parse_oip_model_path(body)) {
      check_oip_model(*path, OipModel{"m", "1", {"a", "b"}});
    }
  });
  return 0;
}
