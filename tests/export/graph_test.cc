// The exported graph itself: per-layer parity with LibTorch (DESIGN.md practice 9), names, and
// hygiene (default domain only, no dead nodes, constant shapes, a [CLS]-only last layer).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "export/bert_graph.h"
#include "export/validate.h"
#include "export_fixtures.h"
#include "runtime/ort_session.h"
#include "spec/names.h"

namespace cola::exporter {
namespace {

using spec::names::kLayerAttentionOutput;
using spec::names::kLayerOutput;
using spec::names::layer_name;

class SingleThread : public ::testing::Environment {
 public:
  void SetUp() override { torch::set_num_threads(1); }
};
const auto* const kSingleThread = ::testing::AddGlobalTestEnvironment(new SingleThread);

onnx::ModelProto build(const model::BertForSequenceClassificationImpl& m, int64_t opset,
                       spec::GraphStyle style = spec::GraphStyle::kCola,
                       std::vector<std::string> extra = {}) {
  return build_model(m, {{opset, style}, false, false, std::move(extra)}, {});
}

torch::Tensor as_tensor(const runtime::FloatOutput& out) {
  return torch::from_blob(const_cast<float*>(out.data.data()), out.shape, torch::kFloat).clone();
}

// Every layer's output through ORT equals forward_all's: the embeddings and the layers before
// the last in full, the last layer at [CLS] (the only position the graph computes there).
TEST(Graph, PerLayerOutputsMatchLibTorch) {
  auto m = fixtures::random_model(fixtures::tiny_config(), 11);
  const int64_t layers = m->config().num_hidden_layers;
  std::vector<std::string> extra = {std::string(spec::names::kEmbeddingsOutput)};
  for (int64_t i = 0; i < layers; ++i) {
    extra.push_back(layer_name(kLayerAttentionOutput, i));
    extra.push_back(layer_name(kLayerOutput, i));
  }
  extra.emplace_back(spec::names::kPoolerOutput);
  for (const int64_t opset : {14, 17}) {
    const auto session =
        runtime::Session::from_bytes(serialize(build(*m, opset, spec::GraphStyle::kCola, extra)));
    std::vector<int64_t> ids = {2, 7, 9, 11, 3, 0, 2, 30, 31, 32, 33, 3};
    std::vector<int64_t> mask = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1};
    const auto out =
        session.run({{"input_ids", ids, {2, 6}}, {"attention_mask", mask, {2, 6}}}, extra);
    torch::NoGradGuard no_grad;
    const auto all =
        m->forward_all(torch::tensor(ids).view({2, 6}), torch::tensor(mask).view({2, 6}));
    const auto near = [&](const torch::Tensor& want, const runtime::FloatOutput& got) {
      EXPECT_TRUE(torch::allclose(as_tensor(got), want, 1e-4, 1e-5))
          << got.name << " opset " << opset << ": max |d| "
          << (as_tensor(got) - want).abs().max().item<double>();
    };
    near(all.embeddings, out[0]);
    for (int64_t i = 0; i + 1 < layers; ++i)
      near(all.layers[static_cast<size_t>(i)], out[2 + 2 * i]);
    const auto& last = out[static_cast<size_t>(2 * layers)];
    EXPECT_EQ(last.shape, (std::vector<int64_t>{2, 1, 16})) << "the last layer is [CLS]-only";
    near(all.layers.back().narrow(1, 0, 1), last);
    near(all.pooled, out.back());
  }
}

TEST(Graph, OnlyDefaultDomainNodesAndNoDeadOnes) {
  auto m = fixtures::random_model(fixtures::tiny_config(), 1);
  for (const int64_t opset : {14, 17}) {
    const auto graph = build(*m, opset).graph();
    std::multiset<std::string> consumed;
    for (const auto& n : graph.node()) {
      EXPECT_EQ(n.domain(), "") << n.name();
      for (const auto& in : n.input()) consumed.insert(in);
    }
    for (const auto& out : graph.output()) consumed.insert(out.name());
    for (const auto& n : graph.node()) {
      EXPECT_TRUE(consumed.count(n.output(0))) << "dead node " << n.name();
    }
    for (const auto& t : graph.initializer()) {
      EXPECT_TRUE(consumed.count(t.name())) << "unused initializer " << t.name();
    }
  }
}

// Initializers are Hugging Face parameters (names::parameter_specs), the folded token-type row,
// or shared constants; the intermediate values carry the layer names of names.h.
TEST(Graph, NamesFollowTheNamingContract) {
  auto m = fixtures::random_model(fixtures::tiny_config(), 1);
  const auto graph = build(*m, 14).graph();
  std::set<std::string> params;
  for (const auto& spec : spec::names::parameter_specs(m->config())) params.insert(spec.name);
  std::set<std::string> seen;
  for (const auto& t : graph.initializer()) {
    seen.insert(t.name());
    if (t.name().rfind("const/", 0) == 0) continue;
    if (t.name() == "bert.embeddings.token_type_embeddings.weight[0]") continue;
    EXPECT_TRUE(params.count(t.name())) << t.name();
  }
  for (const auto& p : params) {
    if (p != "bert.embeddings.token_type_embeddings.weight") {
      EXPECT_TRUE(seen.count(p)) << p;
    }
  }
  std::set<std::string> values;
  for (const auto& n : graph.node()) values.insert(n.output(0));
  for (const auto& name :
       {std::string("bert.embeddings.output"), layer_name(kLayerAttentionOutput, 0),
        layer_name(kLayerOutput, 1), std::string("bert.pooler.output"), std::string("logits")}) {
    EXPECT_TRUE(values.count(name)) << name;
  }
}

// Constant Reshape shapes, one Shape for the position slice, [CLS] gathered before the last
// layer: and fewer nodes than the torch.onnx.export-style graph of the same weights.
TEST(Graph, ConstantShapesAndFewerNodesThanTorchStyle) {
  auto m = fixtures::random_model(fixtures::tiny_config(), 1);
  const auto ours = build(*m, 14).graph();
  const auto torch_style = build(*m, 14, spec::GraphStyle::kTorchExport).graph();
  std::set<std::string> inits;
  for (const auto& t : ours.initializer()) inits.insert(t.name());
  std::map<std::string, int> ops;
  for (const auto& n : ours.node()) {
    ++ops[n.op_type()];
    if (n.op_type() == "Reshape") {
      EXPECT_TRUE(inits.count(n.input(1))) << n.name();
    }
  }
  EXPECT_EQ(ops["Shape"], 1);
  EXPECT_EQ(ops["Concat"], 0);
  EXPECT_EQ(ops["ConstantOfShape"], 0);
  EXPECT_EQ(ops["Softmax"], 2);
  EXPECT_LT(ours.node_size(), torch_style.node_size());

  // Both compute the same logits.
  const auto a = runtime::Session::from_bytes(serialize(build(*m, 14)));
  const auto b =
      runtime::Session::from_bytes(serialize(build(*m, 14, spec::GraphStyle::kTorchExport)));
  std::vector<int64_t> ids = {2, 5, 6, 7, 3, 2, 8, 3, 0, 0};
  std::vector<int64_t> mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0};
  const std::vector<runtime::Int64Input> in = {{"input_ids", ids, {2, 5}},
                                               {"attention_mask", mask, {2, 5}}};
  const auto la = a.run(in)[0].data;
  const auto lb = b.run(in)[0].data;
  ASSERT_EQ(la.size(), lb.size());
  for (size_t i = 0; i < la.size(); ++i) EXPECT_NEAR(la[i], lb[i], 1e-5);
}

// The validator can fail: a graph of other weights differs from this model.
TEST(Graph, ParityCheckFailsForAnotherModel) {
  auto m = fixtures::random_model(fixtures::tiny_config(), 1);
  auto other = fixtures::random_model(fixtures::tiny_config(), 2);
  const GraphRequest request{{14, spec::GraphStyle::kCola}, false, false, {}};
  const auto rows = check_parity(*m, serialize(build_model(*other, request, {})), request,
                                 parity_cases(m->config().max_position_embeddings));
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_FALSE(rows[3].passed());
  EXPECT_GT(rows[3].max_abs_diff, 1e-3);
}

// NaN compares false with everything: a NaN weight must fail every row, not show max |Δ| 0.
TEST(Graph, ParityCheckFailsOnNonFiniteLogits) {
  auto m = fixtures::random_model(fixtures::tiny_config(), 1);
  {
    torch::NoGradGuard no_grad;
    m->classifier()->weight[0][0] = std::numeric_limits<float>::quiet_NaN();
  }
  const GraphRequest request{{14, spec::GraphStyle::kCola}, false, false, {}};
  for (const bool quantized : {false, true}) {
    const auto rows = check_parity(*m, serialize(build_model(*m, request, {})), request,
                                   parity_cases(m->config().max_position_embeddings), quantized);
    for (const auto& r : rows) {
      EXPECT_FALSE(r.passed()) << r.batch << "x" << r.sequence << " quantized " << quantized;
      EXPECT_TRUE(std::isinf(r.max_abs_diff));
    }
  }
}

TEST(Graph, ParityCasesFollowTheIssueAndStayWithinMaxPositions) {
  const auto cases = parity_cases(512);
  ASSERT_EQ(cases.size(), 5u);
  EXPECT_EQ(std::make_pair(cases[0].batch, cases[0].sequence),
            std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(std::make_pair(cases[1].batch, cases[1].sequence),
            std::make_pair(int64_t{1}, int64_t{7}));
  EXPECT_EQ(cases[2].batch, 3);
  EXPECT_LT(cases[2].lengths[2], cases[2].sequence);  // padded
  EXPECT_EQ(std::make_pair(cases[3].batch, cases[3].sequence),
            std::make_pair(int64_t{8}, int64_t{64}));
  EXPECT_EQ(std::make_pair(cases[4].batch, cases[4].sequence),
            std::make_pair(int64_t{2}, int64_t{512}));
  for (const auto& c : parity_cases(24)) EXPECT_LE(c.sequence, 24);
}

}  // namespace
}  // namespace cola::exporter
