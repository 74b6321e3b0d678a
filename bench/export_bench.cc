// `cola export` on bert-tiny (random weights; the shape is what matters):
//   - BM_Export: checkpoint -> .onnx without validation (load, build, serialise, write);
//     target <= 1 s;
//   - BM_Ort: ONNX Runtime latency and throughput of our graph ("cola") against a
//     torch.onnx.export-style graph of the same weights ("torch"), by intra-op threads, batch
//     and sequence length. Items/s are sentences/s. Node counts are in the counters.
//   build/<dir>/bench/export_bench --benchmark_min_time=0.3
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <torch/utils.h>

#include <filesystem>
#include <map>
#include <random>

#include "core/file.h"
#include "export/bert_graph.h"
#include "export/exporter.h"
#include "model/checkpoint.h"
#include "runtime/ort_session.h"

namespace {

namespace fs = std::filesystem;
using cola::spec::GraphStyle;

// google/bert_uncased_L-2_H-128_A-2.
cola::model::BertForSequenceClassification bert_tiny() {
  cola::spec::BertConfig c;
  c.num_hidden_layers = 2;
  c.hidden_size = 128;
  c.num_attention_heads = 2;
  c.intermediate_size = 512;
  torch::manual_seed(0);
  cola::model::BertForSequenceClassification model(c);
  model->eval();
  return model;
}

const cola::model::BertForSequenceClassificationImpl& model() {
  static const auto m = bert_tiny();
  return *m;
}

std::string graph_bytes(GraphStyle style, int64_t* nodes) {
  const auto proto = cola::exporter::build_model(model(), {{14, style}, false, false, {}}, {});
  *nodes = proto.graph().node_size();
  return cola::exporter::serialize(proto);
}

// A checkpoint directory of bert-tiny, written once per process.
const fs::path& checkpoint_dir() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / "cola-export-bench";
    fs::remove_all(d);
    std::string vocab;
    for (int64_t i = 0; i < model().config().vocab_size; ++i) vocab += fmt::format("t{}\n", i);
    cola::write_file_atomic(d / "vocab-src.txt", vocab);
    cola::model::save_checkpoint(d / "ckpt", model(), d / "vocab-src.txt", {});
    return d;
  }();
  return dir;
}

void BM_Export(benchmark::State& state) {
  cola::exporter::ExportRequest request{
      checkpoint_dir() / "ckpt", checkpoint_dir() / "m.onnx", {}, {}, {}, {}};
  request.options.validate = false;
  for (auto _ : state) {
    const auto result = cola::exporter::export_checkpoint(request);
    state.counters["nodes"] = static_cast<double>(result.nodes);
    state.counters["MB"] = static_cast<double>(result.bytes) / 1e6;
  }
}
BENCHMARK(BM_Export)->Unit(benchmark::kMillisecond)->UseRealTime();

// Args: style (0 cola, 1 torch), intra-op threads, batch, sequence.
void BM_Ort(benchmark::State& state) {
  const auto style = state.range(0) == 0 ? GraphStyle::kCola : GraphStyle::kTorchExport;
  const int threads = static_cast<int>(state.range(1));
  const int64_t batch = state.range(2);
  const int64_t seq = state.range(3);
  int64_t nodes = 0;
  const auto session =
      cola::runtime::Session::from_bytes(graph_bytes(style, &nodes), {.intra_op_threads = threads});
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> token(1000, 29000);
  std::vector<int64_t> ids(static_cast<size_t>(batch * seq)), mask(ids.size(), 1);
  for (auto& id : ids) id = token(rng);
  const std::vector<cola::runtime::Int64Input> inputs = {{"input_ids", ids, {batch, seq}},
                                                         {"attention_mask", mask, {batch, seq}}};
  for (auto _ : state) benchmark::DoNotOptimize(session.run(inputs));
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["nodes"] = static_cast<double>(nodes);
  state.SetLabel(style == GraphStyle::kCola ? "cola" : "torch");
}
BENCHMARK(BM_Ort)
    ->ArgNames({"torch_style", "threads", "batch", "seq"})
    ->ArgsProduct({{0, 1}, {1, 2}, {1, 64}, {16, 128}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
