// Validating an int8 file against its fp32 model without LibTorch, as `cola quantize` does: the
// miniature encoder of tests/graph, quantized, checked on ONNX Runtime against its fp32 bytes.
#include "validate/quantized.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "graph/io.h"
#include "graph/mini_encoder.h"
#include "support/error_message.h"

namespace cola::validate {
namespace {

using ::testing::HasSubstr;

struct Files {
  onnx::ModelProto fp32, int8;
  std::string fp32_bytes, int8_bytes;
};

Files quantized_mini_encoder() {
  Files f;
  f.fp32 = graph::mini::mini_encoder();
  f.fp32_bytes = graph::serialize(f.fp32);
  f.int8 = f.fp32;
  const auto q = quantize(f.int8, {});
  EXPECT_THAT(q.json, HasSubstr("\"reduce_range\":true"));
  EXPECT_EQ(graph::metadata_value(f.int8, graph::kMetaQuantization), q.json);
  f.int8_bytes = graph::serialize(f.int8);
  return f;
}

TEST(ValidateQuantized, AnInt8FileAgainstItsFp32FileOnOnnxRuntime) {
  const auto f = quantized_mini_encoder();
  const Fp32Reference reference{
      .parity = [&](const std::string& int8) { return onnx_parity(f.fp32, f.fp32_bytes, int8); },
      .open_predictor = []() -> std::unique_ptr<predict::Predictor> {
        ADD_FAILURE() << "no --validate-data: the predictor is never opened";
        return nullptr;
      }};
  const auto v = validate_quantized(f.int8, f.int8_bytes, graph::mini::kLabels, reference, {});
  EXPECT_TRUE(v.ran);
  EXPECT_EQ(v.inferred_logits_shape, "[batch, 2]");
  EXPECT_FALSE(v.has_data);
  ASSERT_EQ(v.parity.size(), 5u) << "runtime::parity_cases' five shapes";
  for (const auto& row : v.parity) {
    EXPECT_TRUE(row.quantized);
    EXPECT_EQ(row.tolerance, kQuantizedMinCosine);
    EXPECT_GT(row.cosine, 0.99) << row.batch << "x" << row.sequence;
    EXPECT_GT(row.max_abs_diff, 0) << "int8 is not fp32";
  }
  EXPECT_TRUE(v.passed());
  EXPECT_NO_THROW(require_passed(v, "out.onnx"));
  // A wrong label count is caught by shape inference, naming what it found.
  EXPECT_THAT(test::error_message<Error>(
                  [&] { validate_quantized(f.int8, f.int8_bytes, 3, reference, {}); }),
              HasSubstr("[batch, 2]"));
}

TEST(ValidateQuantized, AFailureSaysWhatFellShortAndThatNothingWasWritten) {
  Validation v;
  v.ran = true;
  ParityRow row;
  row.quantized = true;
  row.tolerance = kQuantizedMinCosine;
  row.cosine = 0.5;
  v.parity.push_back(row);
  EXPECT_EQ(test::error_message<Error>([&] { require_passed(v, "out.onnx"); }),
            "validation failed: the int8 logits' cosine with the fp32 model's fell below 0.9; "
            "out.onnx was not written");
  v.has_data = true;
  v.data.data = "dev.tsv";
  v.data.logits.rows = 100;
  v.data.logits.same_argmax = 90;
  EXPECT_THAT(test::error_message<Error>([&] { require_passed(v, "out.onnx"); }),
              HasSubstr("on 90.00% of dev.tsv, below 99%; out.onnx was not written"));
}

TEST(ValidateQuantized, OnnxParityNeedsTheWordEmbeddingTable) {
  onnx::ModelProto empty;
  EXPECT_THAT(test::error_message<Error>([&] { onnx_parity(empty, "", ""); }),
              HasSubstr("no word-embedding table"));
}

}  // namespace
}  // namespace cola::validate
