// `cola convert SRC --output DIR`: a pytorch_model.bin, Lightning .ckpt, sharded checkpoint or Hub
// id as a standard Hugging Face safetensors directory (checkpoint/convert.h). Torch-free: it runs
// in this binary without loading LibTorch.
#include <fmt/format.h>

#include <memory>

#include "app/cola/commands.h"
#include "checkpoint/convert.h"
#include "core/log.h"
#include "predict/labels.h"

namespace cola::app {
namespace {

struct ConvertFlags {
  std::string source, config;
  std::filesystem::path output, labels;
  bool force = false;
};

void run_convert(const ConvertFlags& f) {
  checkpoint::SourceOptions options;
  options.config = f.config;
  if (!f.labels.empty()) options.labels = predict::read_labels_file(f.labels);
  const auto r = checkpoint::convert_checkpoint(f.source, f.output, options, f.force);
  fmt::print("wrote {} ({} tensors, {:.1f} MB of weights) from {}\n", r.output.string(), r.tensors,
             static_cast<double>(r.weight_bytes) / 1e6, r.description);
  if (r.head_missing) {
    log::warn(
        "{} has no classifier head: the directory holds a pretrained encoder, for "
        "`cola train model.pretrained={}`",
        f.source, r.output.string());
  }
}

}  // namespace

void setup_convert(CLI::App& cmd) {
  auto f = std::make_shared<ConvertFlags>();
  cmd.add_option("source", f->source,
                 "a checkpoint: a Hugging Face directory, pytorch_model.bin, a Lightning .ckpt, "
                 "a sharded index, or a Hub id org/name[@revision]")
      ->required();
  cmd.add_option("--output", f->output, "the Hugging Face directory to write")->required();
  cmd.add_option("--config", f->config,
                 "config.json (or a directory or Hub id holding it and vocab.txt) for a "
                 "checkpoint without its own; a Lightning .ckpt defaults to its model_name");
  cmd.add_option("--labels", f->labels,
                 "label names (one a line, or id2label JSON) when config.json has none");
  cmd.add_flag("--force", f->force, "replace --output if it exists and is not empty");
  cmd.callback([f] { run_convert(*f); });
}

}  // namespace cola::app
