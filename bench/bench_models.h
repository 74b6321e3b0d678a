#pragma once
// Random-weight BERT models for the benchmarks, over the real BERT uncased vocabulary (so that
// tokenization and sequence lengths are CoLA's), saved as checkpoints and exported by `cola
// export`'s library path, metadata included, so OnnxPredictor::open reads them as in production.
// Speed does not depend on the weights' values.
#include <fmt/format.h>
#include <torch/utils.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "export/exporter.h"
#include "model/bert.h"
#include "model/checkpoint.h"
#include "shared_dir.h"
#include "text/vocab.h"

namespace cola::bench {

namespace fs = std::filesystem;

inline fs::path dev_path() { return shared_dir() / "data/cola/raw/in_domain_dev.tsv"; }
inline fs::path vocab_path() { return shared_dir() / "data/vocab/bert-base-uncased-vocab.txt"; }

/// A temporary directory removed at exit; per process, so two runs at once do not collide.
struct TempDir {
  fs::path path = fs::temp_directory_path() / fmt::format("cola-bench-{}", ::getpid());
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

/// The shape of google/bert_uncased_L-<layers>_H-<hidden>_A-<heads> over the BERT vocabulary.
inline spec::BertConfig bert_config(int64_t layers, int64_t hidden, int64_t heads) {
  spec::BertConfig c;
  c.vocab_size = static_cast<int64_t>(text::Vocab::load(vocab_path()).size());
  c.num_hidden_layers = layers;
  c.hidden_size = hidden;
  c.num_attention_heads = heads;
  c.intermediate_size = 4 * hidden;
  c.id2label = {"unacceptable", "acceptable"};
  return c;
}

/// Saves a random model of `config` under `dir`/`name` and exports it to `dir`/`name`.onnx with
/// `options` (validation off: tests/export checks parity; here only speed matters).
inline fs::path export_random(const spec::BertConfig& config, const fs::path& dir,
                              const std::string& name, exporter::ExportOptions options = {}) {
  const fs::path checkpoint = dir / name;
  if (!fs::exists(checkpoint)) {
    torch::manual_seed(0);
    model::BertForSequenceClassification bert(config);
    bert->eval();
    model::save_checkpoint(checkpoint, *bert, vocab_path(), {});
  }
  options.validate = false;
  const std::string suffix = options.quantize.empty() ? "" : "-" + options.quantize;
  exporter::ExportRequest request{
      checkpoint.string(), dir / (name + suffix + ".onnx"), options, {}, {}, {}};
  return exporter::export_checkpoint(request).output;
}

}  // namespace cola::bench
