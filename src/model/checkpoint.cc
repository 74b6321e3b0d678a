#include "model/checkpoint.h"

#include <c10/util/Exception.h>

#include "checkpoint/atomic_dir.h"
#include "checkpoint/safetensors.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "model/weights.h"

namespace cola::model {
namespace fs = std::filesystem;
namespace {

// LibTorch errors carry a backtrace in what(); keep its one-line message and add ours.
template <class F>
decltype(auto) with_torch_context(const std::string& context, F&& f) {
  return with_context(context, [&]() -> decltype(auto) {
    try {
      return f();
    } catch (const c10::Error& e) {
      throw Error(e.what_without_backtrace());
    }
  });
}

}  // namespace

void save_checkpoint(const fs::path& dir, const BertForSequenceClassificationImpl& model,
                     const fs::path& vocab_path, const spec::TokenizerConfig& tokenizer,
                     const ExtraFiles& extra) {
  with_torch_context("saving checkpoint " + dir.string(), [&] {
    const std::string vocab = read_file(vocab_path);
    checkpoint::AtomicDirectory out(dir);
    const fs::path& tmp = out.temp_path();
    write_file_atomic(tmp / checkpoint::kConfigFile, model.config().to_json());
    write_file_atomic(tmp / checkpoint::kTokenizerConfigFile, tokenizer.to_json());
    write_file_atomic(tmp / checkpoint::kVocabFile, vocab);
    // "format": "pt" tells transformers the tensors are in PyTorch's layout.
    write_tensors(tmp / checkpoint::kWeightsFile, state_dict(model), {{"format", "pt"}});
    if (extra) extra(tmp);
    out.commit();
  });
}

Checkpoint load_checkpoint(const std::string& reference, const LoadOptions& options) {
  checkpoint::CheckpointSource source =
      checkpoint::open_checkpoint_source(reference, options.source);
  return with_torch_context("loading checkpoint " + reference, [&] {
    Checkpoint ckpt;
    ckpt.config = source.config;
    if (options.adjust_config) {
      options.adjust_config(ckpt.config);
      ckpt.config.validate();
    }
    // Names and shapes first (validate() has bounded the size): a checkpoint that does not fit
    // its config fails naming the tensor before LibTorch allocates the model.
    const checkpoint::PlanOptions plan_options{.allow_missing_head = options.allow_missing_head,
                                               .allow_non_finite = options.allow_non_finite};
    const checkpoint::WeightPlan plan =
        checkpoint::plan_weights(ckpt.config, source.weights, plan_options);
    // Every weight is loaded next (or, for a missing head, initialised by load_weights).
    ckpt.model = BertForSequenceClassification(ckpt.config, /*init=*/false);
    ckpt.notes = source.notes;
    for (auto& note : load_weights(*ckpt.model, source.weights, plan, plan_options)) {
      ckpt.notes.push_back(std::move(note));
    }
    ckpt.model->eval();
    ckpt.tokenizer = source.tokenizer;
    ckpt.vocab_path = source.vocab_path;
    log::debug("loaded {}: {}", reference, source.description);
    source.weights = {};  // the model holds the weights now; drop the mappings
    ckpt.source = std::move(source);
    return ckpt;
  });
}

}  // namespace cola::model
