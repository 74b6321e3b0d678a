#include "train/evaluate.h"

#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <algorithm>

#include "train/batch_tensors.h"

namespace cola::train {

Evaluation evaluate(model::BertForSequenceClassificationImpl& model, const data::Batcher& batcher,
                    int64_t max_batches, int shard, int shards) {
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  Evaluation ev;
  ev.confusion = track::ConfusionMatrix(static_cast<int>(model.config().num_labels()));
  auto plan = batcher.eval_plan(data::EvalOrder::by_length);  // least padding
  plan.resize(std::min<size_t>(plan.size(), static_cast<size_t>(max_batches)));
  data::Batch batch;
  double loss_sum = 0;
  for (size_t b = static_cast<size_t>(shard); b < plan.size(); b += static_cast<size_t>(shards)) {
    batcher.make_batch(plan[b], batch);
    const auto t = as_tensors(batch);
    const auto logits = model.forward(t.input_ids, t.attention_mask);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, t.labels,
                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    const auto probs = logits.softmax(-1);
    const auto [conf, pred] = probs.max(-1);
    const auto* p = pred.data_ptr<int64_t>();
    const auto* c = conf.data_ptr<float>();
    for (size_t i = 0; i < batch.labels.size(); ++i) {
      ev.confusion.add(static_cast<int>(batch.labels[i]), static_cast<int>(p[i]));
      if (p[i] != batch.labels[i])
        ev.errors.push_back({batch.indices[i], batch.labels[i], p[i], c[i]});
    }
    ev.sentences += static_cast<int64_t>(batch.labels.size());
  }
  ev.loss_sum = loss_sum;
  ev.loss = ev.sentences > 0 ? loss_sum / static_cast<double>(ev.sentences) : 0.0;
  ev.metrics = track::compute_metrics(ev.confusion);
  std::sort(ev.errors.begin(), ev.errors.end(), [](auto& a, auto& b) { return a.row < b.row; });
  model.train(was_training);
  return ev;
}

}  // namespace cola::train
