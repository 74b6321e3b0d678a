// The int8 pass (graph/quantize.h): the pattern it writes, that ONNX Runtime fuses all of it, that
// the file stays a valid default-domain ONNX model, and how close it stays to LibTorch.
#include "graph/quantize.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <map>

#include "core/file.h"
#include "export/bert_graph.h"
#include "export/validate.h"
#include "export_fixtures.h"
#include "graph/graph_edit.h"
#include "graph/io.h"
#include "runtime/ort_info.h"
#include "runtime/ort_session.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::exporter {
namespace {

using ::testing::HasSubstr;

onnx::ModelProto build(const model::BertForSequenceClassificationImpl& m, int64_t opset = 14) {
  return build_model(m, {{opset, spec::GraphStyle::kCola}, false, false, {}}, {});
}

std::map<std::string, int> op_counts(const onnx::GraphProto& g) {
  std::map<std::string, int> counts;
  for (const auto& n : g.node()) ++counts[n.op_type()];
  return counts;
}

const onnx::NodeProto* producer(const onnx::GraphProto& g, const std::string& value) {
  for (const auto& n : g.node()) {
    if (std::find(n.output().begin(), n.output().end(), value) != n.output().end()) return &n;
  }
  return nullptr;
}

std::vector<int8_t> int8_values(const onnx::TensorProto& t) {
  EXPECT_EQ(t.data_type(), onnx::TensorProto::INT8) << t.name();
  return {t.raw_data().begin(), t.raw_data().end()};
}

TEST(Quantize, EveryEncoderLinearBecomesTheFusablePattern) {
  const auto m = fixtures::random_model(fixtures::tiny_config(), 3);
  auto proto = build(*m);
  const auto summary = graph::quantize_model(proto, {});
  const int64_t layers = m->config().num_hidden_layers;
  ASSERT_EQ(static_cast<int64_t>(summary.linears.size()), 6 * layers + 1) << "6 a layer + pooler";
  EXPECT_EQ(summary.linears.front(), "bert.encoder.layer.0.attention.self.query");
  EXPECT_EQ(summary.linears.back(), "bert.pooler.dense");
  EXPECT_EQ(summary.kept, (std::vector<std::string>{"classifier"}));

  const auto& g = proto.graph();
  auto ops = op_counts(g);
  // Query, key and value read one input: one MatMulInteger for the three, then a Split. The last
  // layer computes its query at [CLS] only, so only its key and value share.
  const int matmuls = static_cast<int>(4 * (layers - 1) + 5 + 1);
  EXPECT_EQ(ops["MatMulInteger"], matmuls);
  EXPECT_EQ(ops["DynamicQuantizeLinear"], matmuls) << "one per MatMulInteger, none shared";
  EXPECT_EQ(ops["Split"], static_cast<int>(layers));
  const auto* qkv =
      producer(g, "bert.encoder.layer.0.attention.self/query_key_value/MatMulInteger");
  ASSERT_NE(qkv, nullptr);
  const auto* weights = producer(g, qkv->input(1));
  ASSERT_NE(weights, nullptr);
  EXPECT_EQ(weights->op_type(), "Concat") << "of the three weights, each under its own name";
  EXPECT_EQ(weights->input(0), "bert.encoder.layer.0.attention.self.query.weight_quantized");
  EXPECT_EQ(ops["Gemm"], 1) << "the classifier stays fp32";
  const auto uses = graph::use_counts(g);
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (n.op_type() == "DynamicQuantizeLinear") {
      for (const auto& out : n.output()) EXPECT_EQ(uses.at(out), 1) << out;
    }
    if (n.op_type() == "MatMulInteger") {
      // MatMulInteger, Cast, the scale Mul, Mul, Add: in that order.
      ASSERT_LT(i + 4, g.node_size());
      EXPECT_EQ(g.node(i + 1).op_type(), "Cast");
      const auto& scale = g.node(i + 2);
      ASSERT_EQ(scale.op_type(), "Mul");
      const auto* dql = producer(g, scale.input(0));
      ASSERT_NE(dql, nullptr);
      EXPECT_EQ(dql->op_type(), "DynamicQuantizeLinear") << "the activation scale comes first";
      EXPECT_EQ(scale.input(0), dql->output(1));
      EXPECT_EQ(g.node(i + 3).input(1), scale.output(0));
      const auto& add = g.node(i + 4);
      ASSERT_EQ(add.op_type(), "Add");
      EXPECT_THAT(add.input(1), ::testing::EndsWith("bias")) << "the bias is the Add's 2nd input";
    }
    if (n.op_type() == "MatMul") {
      EXPECT_EQ(graph::find_initializer(g, n.input(1)), nullptr) << n.name() << " reads a weight";
    }
  }

  const std::string q = "bert.encoder.layer.0.attention.self.query";
  EXPECT_EQ(graph::find_initializer(g, q + ".weight"), nullptr) << "the fp32 weight is gone";
  const auto* wq = graph::find_initializer(g, q + ".weight_quantized");
  const auto* ws = graph::find_initializer(g, q + ".weight_scale");
  const auto* wzp = graph::find_initializer(g, q + ".weight_zero_point");
  ASSERT_NE(wq, nullptr);
  ASSERT_NE(ws, nullptr);
  ASSERT_NE(wzp, nullptr);
  EXPECT_EQ(graph::dims_of(*wq), (std::vector<int64_t>{16, 16})) << "[in, out] as MatMul reads it";
  EXPECT_EQ(graph::dims_of(*ws), (std::vector<int64_t>{16})) << "one scale per output channel";
  const auto values = int8_values(*wq);
  const auto max_abs = [](const std::vector<int8_t>& v) {
    int largest = 0;
    for (const int8_t x : v) largest = std::max(largest, std::abs(int{x}));
    return largest;
  };
  EXPECT_EQ(max_abs(values), 63) << "7-bit weights by default";
  for (const int8_t z : int8_values(*wzp)) EXPECT_EQ(z, 0) << "symmetric";

  auto full = build(*m);
  graph::QuantizeOptions full_range;
  full_range.reduce_range = false;
  graph::quantize_model(full, full_range);
  EXPECT_EQ(max_abs(int8_values(*graph::find_initializer(full.graph(), q + ".weight_quantized"))),
            127);
}

TEST(Quantize, PassesTheCheckerAndStrictShapeInference) {
  const auto m = fixtures::random_model(fixtures::mini_config(), 4);
  for (const int64_t opset : {14, 17}) {
    for (const bool embeddings : {false, true}) {
      auto proto = build(*m, opset);
      graph::QuantizeOptions options;
      options.embeddings = embeddings;
      graph::quantize_model(proto, options);
      EXPECT_EQ(check_graph(proto, "logits", 3), "[batch, 3]") << opset << " " << embeddings;
    }
  }
}

// The proof that the pattern is right: ORT's optimized graph has no MatMulInteger left, only one
// DynamicQuantizeMatMul per quantized Linear (bias included).
TEST(Quantize, OnnxRuntimeFusesEveryLinearIntoDynamicQuantizeMatMul) {
  const auto m = fixtures::random_model(fixtures::tiny_config(), 5);
  for (const bool embeddings : {false, true}) {
    auto proto = build(*m);
    graph::QuantizeOptions options;
    options.embeddings = embeddings;
    const auto summary = graph::quantize_model(proto, options);
    test::TempDir dir;
    runtime::SessionOptions session;
    session.optimized_model = dir.path() / "optimized.onnx";
    runtime::Session::from_bytes(graph::serialize(proto), session);
    const auto optimized = graph::parse_model(read_file(session.optimized_model), "optimized");
    auto ops = op_counts(optimized.graph());
    EXPECT_EQ(ops["MatMulInteger"], 0);
    EXPECT_EQ(ops["DynamicQuantizeLinear"], 0);
    EXPECT_EQ(ops["MatMulIntegerToFloat"], 0);
    EXPECT_EQ(ops["DynamicQuantizeMatMul"], op_counts(proto.graph())["MatMulInteger"]);
    EXPECT_EQ(ops["Concat"], embeddings ? 1 : 0)
        << "the weights' Concats are folded at load (the embeddings' output shape is not)";
  }
}

// How close int8 stays depends on the CPU's int8 kernel (runtime/ort_info.h), so the bound is the
// one this CPU guarantees, and a failure names the CPU. 7-bit weights (reduce_range) never
// saturate: cosine > 0.99 on every CPU. 8-bit weights reach it only where the kernel accumulates
// in 32 bits (VNNI, AMX); VPMADDUBSW (AVX2, AVX-512BW) clips pairs of products at 16 bits (seen
// on a Zen 3: cosine 0.934 at 1x7, 0.975 at 3x9), so there only the export's own bound holds.
TEST(Quantize, StaysCloseToLibTorch) {
  const auto kernel = runtime::int8_kernel();
  auto m = fixtures::random_model(fixtures::tiny_config(), 6);
  for (const bool embeddings : {false, true}) {
    for (const bool reduce_range : {true, false}) {
      auto proto = build(*m);
      graph::QuantizeOptions options;
      options.embeddings = embeddings;
      options.reduce_range = reduce_range;
      graph::quantize_model(proto, options);
      const GraphRequest request{{14, spec::GraphStyle::kCola}, false, false, {}};
      const auto rows = check_parity(*m, graph::serialize(proto), request,
                                     parity_cases(m->config().max_position_embeddings), true);
      const bool exact = reduce_range || !kernel.saturates;
      const double min_cosine = exact ? 0.99 : kQuantizedMinCosine;
      const double max_prob_diff = exact ? 0.05 : 0.25;
      const std::string where =
          fmt::format("{} range, embeddings {}, on {}: {}", reduce_range ? "7-bit" : "8-bit (full)",
                      embeddings ? "int8" : "fp32", runtime::describe_machine(),
                      exact ? "no saturation, so the tight bound"
                            : "VPMADDUBSW saturates 8-bit weights, so the export's own bound");
      for (const auto& r : rows) {
        const auto shape = fmt::format("{}x{}", r.batch, r.sequence);
        EXPECT_TRUE(r.passed()) << shape << ": max |dprob| " << r.max_prob_diff << " cosine "
                                << r.cosine << "; " << where;
        EXPECT_GT(r.cosine, min_cosine) << shape << "; " << where;
        EXPECT_LT(r.max_prob_diff, max_prob_diff) << shape << "; " << where;
        EXPECT_GT(r.max_abs_diff, 1e-4) << "int8 is not fp32: the comparison sees the difference";
      }
    }
  }
}

TEST(Quantize, EmbeddingsShrinkTheFileToUnderThirtyPercent) {
  spec::BertConfig c = fixtures::tiny_config();
  c.vocab_size = 30522;  // the table dominates, as in bert-tiny (3.9M of 4.4M parameters)
  c.hidden_size = 64;
  c.intermediate_size = 128;
  const auto m = fixtures::random_model(c, 7);
  const auto fp32 = graph::serialize(build(*m));
  auto proto = build(*m);
  graph::QuantizeOptions options;
  options.embeddings = true;
  const auto summary = graph::quantize_model(proto, options);
  EXPECT_EQ(summary.embeddings, "bert.embeddings.word_embeddings");
  const auto& g = proto.graph();
  EXPECT_EQ(graph::find_initializer(g, "bert.embeddings.word_embeddings.weight"), nullptr);
  const auto* table =
      graph::find_initializer(g, "bert.embeddings.word_embeddings.weight_quantized");
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(graph::dims_of(*table), (std::vector<int64_t>{30522, 64}));
  EXPECT_EQ(
      graph::dims_of(*graph::find_initializer(g, "bert.embeddings.word_embeddings.weight_scale")),
      (std::vector<int64_t>{30522}))
      << "one scale per row";
  EXPECT_EQ(op_counts(g)["DequantizeLinear"], 1);
  const double ratio =
      static_cast<double>(graph::serialize(proto).size()) / static_cast<double>(fp32.size());
  EXPECT_LE(ratio, 0.30) << ratio;
  const auto json = graph::quantization_json(options, summary);
  EXPECT_THAT(json, HasSubstr("\"reduce_range\":true"));
  EXPECT_THAT(json, HasSubstr("word_embeddings: int8, one scale per row"));
}

}  // namespace
}  // namespace cola::exporter
