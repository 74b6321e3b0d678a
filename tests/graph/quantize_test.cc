// The int8 pass on graphs built here with libonnx, no LibTorch: the shape of a cola export's
// encoder in miniature (a word-embedding Gather, query/key/value Linears reading one input, a mean
// over the sequence, a 2-way classifier). The exporter's own graphs are quantized and compared with
// LibTorch in tests/export/quantize_test.cc.
#include "graph/quantize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file.h"
#include "graph/check.h"
#include "graph/graph_edit.h"
#include "graph/io.h"
#include "graph/mini_encoder.h"
#include "graph/quantize_weights.h"
#include "runtime/ort_session.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::graph {
namespace {

using mini::kHidden;
using mini::kLabels;
using mini::kLayer;
using mini::mini_encoder;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::map<std::string, int> op_counts(const onnx::GraphProto& g) {
  std::map<std::string, int> counts;
  for (const auto& n : g.node()) ++counts[n.op_type()];
  return counts;
}

std::vector<float> logits(const onnx::ModelProto& m, const runtime::SessionOptions& options = {}) {
  const std::vector<int64_t> ids = {1, 7, 22, 49, 3, 3, 18, 0};
  const std::vector<int64_t> mask(ids.size(), 1);
  const auto session = runtime::Session::from_bytes(serialize(m), options);
  return session.run({{"input_ids", ids, {2, 4}}, {"attention_mask", mask, {2, 4}}}).at(0).data;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0;
  double aa = 0;
  double bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<double>(a[i]);
    const auto y = static_cast<double>(b[i]);
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / std::sqrt(aa * bb);
}

TEST(QuantizeWeights, OneSymmetricScalePerColumnRoundedHalfToEven) {
  // [2, 3]: column 0 max 63 (scale 1), column 1 all zero, column 2 max 126 (scale 2); every
  // quotient is exact in float, so the rounding of the halves is what is tested.
  const std::vector<float> w = {63.0F, 0.0F, -126.0F, -31.5F, 0.0F, 33.0F};
  const auto q = quantize_columns(w, 2, 3, 63);
  ASSERT_EQ(q.scales.size(), 3u);
  EXPECT_FLOAT_EQ(q.scales[0], 1.0F);
  EXPECT_FLOAT_EQ(q.scales[1], 1.0F) << "an all-zero column gets scale 1, not 0";
  EXPECT_FLOAT_EQ(q.scales[2], 2.0F);
  EXPECT_EQ(q.values, (std::vector<int8_t>{63, 0, -63, -32, 0, 16}))
      << "-31.5 and 16.5 round to the even -32 and 16";
  const auto rows = quantize_rows(w, 2, 3, 127);
  EXPECT_FLOAT_EQ(rows.scales[0], 126.0F / 127) << "row 0's max |w| is 126";
  EXPECT_EQ(rows.values[2], -127);
  EXPECT_EQ(rows.values[5], 127) << "row 1's max |w| is 33";
  EXPECT_EQ(quantized_max(true), 63);
  EXPECT_EQ(quantized_max(false), 127);
}

// Query, key and value read one input, so they share one DynamicQuantizeLinear and one
// MatMulInteger; the 2-channel classifier is too narrow to gain and stays fp32.
TEST(Quantize, LinearsOfOneInputShareOneMatMulIntegerAndNarrowOnesStayFp32) {
  auto m = mini_encoder();
  const auto summary = quantize_model(m, {});
  const std::string q = kLayer;
  EXPECT_THAT(summary.linears, ElementsAre(q + "query", q + "key", q + "value"));
  EXPECT_THAT(summary.kept, ElementsAre("classifier"));
  EXPECT_EQ(summary.embeddings, "");
  auto ops = op_counts(m.graph());
  EXPECT_EQ(ops["MatMulInteger"], 1);
  EXPECT_EQ(ops["DynamicQuantizeLinear"], 1);
  EXPECT_EQ(ops["Split"], 1);
  EXPECT_EQ(ops["MatMul"], 1) << "the classifier";
  for (const char* name : {"query", "key", "value"}) {
    const auto* w = find_initializer(m.graph(), q + name + ".weight_quantized");
    ASSERT_NE(w, nullptr) << name;
    EXPECT_EQ(w->data_type(), onnx::TensorProto::INT8);
    EXPECT_EQ(dims_of(*w), (std::vector<int64_t>{kHidden, kHidden}));
    EXPECT_EQ(find_initializer(m.graph(), q + name + ".weight"), nullptr) << "fp32 weight gone";
  }
  EXPECT_EQ(check_graph(m, "logits", kLabels), "[batch, 2]");
}

// ONNX Runtime fuses every quantized MatMul into DynamicQuantizeMatMul (the point of the pattern),
// and the int8 logits keep the fp32 ones' direction, with and without the int8 embedding table.
TEST(Quantize, OnnxRuntimeFusesThePatternAndTheLogitsStayClose) {
  const auto fp32 = logits(mini_encoder());
  for (const bool embeddings : {false, true}) {
    auto m = mini_encoder();
    const auto summary = quantize_model(m, {.reduce_range = true, .embeddings = embeddings});
    EXPECT_EQ(summary.embeddings, embeddings ? "bert.embeddings.word_embeddings" : "");
    EXPECT_EQ(op_counts(m.graph())["DequantizeLinear"], embeddings ? 1 : 0);
    test::TempDir dir;
    runtime::SessionOptions options;
    options.optimized_model = dir.path() / "optimized.onnx";
    const auto int8 = logits(m, options);
    const auto optimized = parse_model(read_file(options.optimized_model), "optimized");
    auto ops = op_counts(optimized.graph());
    EXPECT_EQ(ops["MatMulInteger"], 0);
    EXPECT_EQ(ops["DynamicQuantizeMatMul"], 1);
    ASSERT_EQ(int8.size(), fp32.size());
    EXPECT_GT(cosine(fp32, int8), 0.99) << "embeddings " << embeddings;
    EXPECT_NE(fp32, int8) << "int8 is not fp32";
  }
}

TEST(Quantize, RefusesWhatItCannotQuantize) {
  auto m = mini_encoder();
  quantize_model(m, {});
  EXPECT_THAT(test::error_message<Error>([&] { quantize_model(m, {}); }),
              HasSubstr("already quantized"));
  onnx::ModelProto empty;
  empty.add_opset_import()->set_version(14);
  EXPECT_THAT(test::error_message<Error>([&] { quantize_model(empty, {.embeddings = true}); }),
              HasSubstr("no Linear to quantize"));
  auto old = mini_encoder(12);
  EXPECT_THAT(test::error_message<Error>([&] { quantize_model(old, {}); }),
              HasSubstr("opset 12 is too old"));
}

}  // namespace
}  // namespace cola::graph
