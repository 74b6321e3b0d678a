#include "model/checkpoint.h"

#include <c10/util/Exception.h>

#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "model/atomic_dir.h"
#include "model/safetensors.h"
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
                     const fs::path& vocab_path, const TokenizerConfig& tokenizer,
                     const ExtraFiles& extra) {
  with_torch_context("saving checkpoint " + dir.string(), [&] {
    const std::string vocab = read_file(vocab_path);
    AtomicDirectory out(dir);
    const fs::path& tmp = out.temp_path();
    write_file_atomic(tmp / kConfigFile, model.config().to_json());
    write_file_atomic(tmp / kTokenizerConfigFile, tokenizer.to_json());
    write_file_atomic(tmp / kVocabFile, vocab);
    // "format": "pt" tells transformers the tensors are in PyTorch's layout.
    write_tensors(tmp / kWeightsFile, state_dict(model), {{"format", "pt"}});
    if (extra) extra(tmp);
    out.commit();
  });
}

Checkpoint load_checkpoint(const fs::path& dir, const LoadOptions& options) {
  return with_torch_context("loading checkpoint " + dir.string(), [&] {
    if (!fs::is_directory(dir)) throw Error("not a directory");
    Checkpoint ckpt;
    const fs::path config_path = dir / kConfigFile;
    ckpt.config = BertConfig::from_json(read_file(config_path), config_path.string());
    if (options.adjust_config) {
      options.adjust_config(ckpt.config);
      ckpt.config.validate();
    }
    const fs::path tokenizer_path = dir / kTokenizerConfigFile;
    if (fs::exists(tokenizer_path)) {
      ckpt.tokenizer =
          TokenizerConfig::from_json(read_file(tokenizer_path), tokenizer_path.string());
    } else {
      ckpt.notes.push_back("no " + std::string(kTokenizerConfigFile) +
                           ": using BertTokenizer defaults (uncased, 512 tokens)");
      log::warn("{}: {}", dir.string(), ckpt.notes.back());
    }
    const fs::path weights_path = dir / kWeightsFile;
    if (!fs::exists(weights_path)) {
      throw Error(std::string("no ") + kWeightsFile +
                  (fs::exists(dir / "pytorch_model.bin")
                       ? " (pytorch_model.bin is not supported: save the model with "
                         "safe_serialization=True)"
                       : ""));
    }
    const auto weights = safetensors::File::read(weights_path);
    ckpt.model = BertForSequenceClassification(ckpt.config);
    for (auto& note : load_weights(*ckpt.model, weights)) ckpt.notes.push_back(std::move(note));
    ckpt.model->eval();
    ckpt.vocab_path = dir / kVocabFile;
    return ckpt;
  });
}

}  // namespace cola::model
