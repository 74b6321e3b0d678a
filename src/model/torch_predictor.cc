#include "model/torch_predictor.h"

#include <c10/core/InferenceMode.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <algorithm>
#include <thread>

#include "model/checkpoint.h"
#include "predict/labels.h"

namespace cola::model {
namespace {

class TorchPredictor final : public predict::Predictor {
 public:
  TorchPredictor(BertForSequenceClassification model, text::Tokenizer tokenizer,
                 const predict::PredictOptions& options)
      : Predictor(std::move(tokenizer), model->config().id2label, options),
        model_(std::move(model)) {
    model_->eval();
  }

  void forward(const text::PaddedBatch& batch, std::vector<float>& logits) const override {
    // InferenceMode: no autograd records, no version counters; forward is then read-only on the
    // module, so several threads may run it at once.
    const c10::InferenceMode guard;
    const auto options = torch::TensorOptions().dtype(torch::kInt64);
    // from_blob wraps our buffers without copying; forward does not write to its inputs.
    const auto ids = torch::from_blob(const_cast<int64_t*>(batch.input_ids.data()),
                                      {batch.batch, batch.seq_len}, options);
    const auto mask = torch::from_blob(const_cast<int64_t*>(batch.attention_mask.data()),
                                       {batch.batch, batch.seq_len}, options);
    const auto out = model_->forward(ids, mask).contiguous();
    logits.assign(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
  }

  std::string_view backend() const override { return "torch"; }

 private:
  mutable BertForSequenceClassification model_;  // forward() is not const in torch::nn
};

}  // namespace

std::unique_ptr<predict::Predictor> open_torch_predictor(const std::string& reference,
                                                         const TorchPredictorOptions& options) {
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  LoadOptions load;
  load.source.config = options.config;
  load.source.labels = options.labels;
  load.allow_non_finite = options.allow_non_finite;
  return torch_predictor(load_checkpoint(reference, load), options.predict);
}

std::unique_ptr<predict::Predictor> torch_predictor(const Checkpoint& checkpoint,
                                                    const predict::PredictOptions& options) {
  auto tokenizer = text::Tokenizer::from_file(checkpoint.vocab_path,
                                              predict::tokenizer_options(checkpoint.tokenizer));
  predict::PredictOptions p = options;
  p.max_length = std::min({p.max_length, checkpoint.tokenizer.model_max_length,
                           checkpoint.config.max_position_embeddings});
  return std::make_unique<TorchPredictor>(checkpoint.model, std::move(tokenizer), p);
}

}  // namespace cola::model
