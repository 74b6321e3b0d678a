#include "train/train_step.h"

#include <ATen/CPUGeneratorImpl.h>
#include <omp.h>
#include <torch/nn/functional/loss.h>

#include <cmath>
#include <exception>
#include <optional>
#include <thread>

#include "model/dropout.h"

namespace cola::train {
namespace {

struct SliceResult {
  double loss_sum = 0;  // cross-entropy summed over the slice's rows
  int64_t correct = 0;
  std::exception_ptr error;
};

// Forward and backward of rows [first, first + rows) on `model`. The loss is scaled by `weight`
// (rows / the whole batch's rows) so that the slices' gradients sum to the whole batch's
// mean-loss gradient.
void run_slice(model::BertForSequenceClassification& model, const BatchTensors& batch,
               int64_t first, int64_t rows, double weight, SliceResult& out) {
  const auto ids = batch.input_ids.narrow(0, first, rows);
  const auto mask = batch.attention_mask.narrow(0, first, rows);
  const auto labels = batch.labels.narrow(0, first, rows);
  const auto logits = model->forward(ids, mask);
  const auto loss = torch::nn::functional::cross_entropy(logits, labels);
  out.loss_sum = loss.item<double>() * static_cast<double>(rows);
  out.correct = logits.argmax(-1).eq(labels).sum().item<int64_t>();
  if (std::isfinite(out.loss_sum)) (loss * weight).backward();
}

// Adds each replica's gradients into the model's (sparse ones by concatenation) and drops them.
void gather_gradients(model::BertForSequenceClassification& model,
                      std::vector<model::BertForSequenceClassification>& copies) {
  auto params = model->parameters();
  for (auto& copy : copies) {
    auto theirs = copy->parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      auto& g = theirs[i].mutable_grad();
      if (!g.defined()) continue;
      auto& mine = params[i].mutable_grad();
      if (!mine.defined()) {
        mine = g;
      } else if (mine.is_sparse()) {
        mine = mine + g;
      } else {
        mine.add_(g);
      }
      g.reset();
    }
  }
}

}  // namespace

Replicas::Replicas(const model::BertForSequenceClassification& model, int extra) {
  const torch::NoGradGuard no_grad;
  // Building a copy initialises weights it then drops; the generator must not notice, or turning
  // data-parallel on would change every later dropout mask.
  auto generator = at::detail::getDefaultCPUGenerator();
  const auto saved = generator.get_state();
  auto params = model->parameters();
  for (int i = 0; i < extra; ++i) {
    model::BertForSequenceClassification copy(model->config());
    copy->train(model->is_training());
    copy->bert()->embeddings()->set_sparse_word_gradient(
        model->bert()->embeddings()->sparse_word_gradient());
    auto theirs = copy->parameters();
    for (size_t k = 0; k < params.size(); ++k) theirs[k].set_data(params[k]);
    copies_.push_back(std::move(copy));
  }
  generator.set_state(saved);
}

StepOutcome train_step(model::BertForSequenceClassification& model, FusedAdamW& optimizer,
                       const BatchTensors& batch, double max_grad_norm, Replicas* replicas,
                       RankStep* rank) {
  optimizer.clear_grad();
  const int64_t n = batch.labels.size(0);
  // This process's rows: the whole batch, or its rank's share of it.
  const int64_t begin = rank != nullptr ? n * rank->rank / rank->world_size : 0;
  const int64_t end = rank != nullptr ? n * (rank->rank + 1) / rank->world_size : n;
  // A rank left without rows (a batch smaller than the world) still runs one row, weighted 0:
  // it must draw the dropout seeds every rank draws, or its generator would leave step.
  const bool idle = end == begin;
  const int64_t own = idle ? 1 : end - begin;
  const int64_t start = idle ? 0 : begin;
  const size_t parts =
      std::min<size_t>(static_cast<size_t>(own), 1 + (replicas != nullptr ? replicas->size() : 0));
  // Rows [first[k], first[k + 1]) go to part k: part 0 to the model, here; the rest to replicas.
  std::vector<int64_t> first(parts + 1);
  for (size_t k = 0; k <= parts; ++k)
    first[k] = start + own * static_cast<int64_t>(k) / static_cast<int64_t>(parts);
  const auto weight = [&](size_t k) {
    return idle ? 0.0 : static_cast<double>(first[k + 1] - first[k]) / static_cast<double>(n);
  };
  std::vector<SliceResult> results(parts);
  if (replicas != nullptr) {
    for (auto& copy : replicas->copies_) copy->train(model->is_training());  // dropout on or off
  }
  std::vector<std::thread> threads;
  for (size_t k = 1; k < parts; ++k) {
    // A clone of the generator as it is now: the replica draws the dropout seeds this thread will.
    auto seeds = at::detail::getDefaultCPUGenerator().clone();
    threads.emplace_back([&, k, seeds = std::move(seeds)]() mutable {
      try {
        omp_set_num_threads(1);  // OpenMP's thread count is per thread: set it on this one
        const model::BatchSlice slice(std::move(seeds), first[k]);
        run_slice(replicas->copies_[k - 1], batch, first[k], first[k + 1] - first[k], weight(k),
                  results[k]);
      } catch (...) {
        results[k].error = std::current_exception();
      }
    });
  }
  // OpenMP's own setter, not at::set_num_threads: that one also rebuilds LibTorch's pthreadpool,
  // ~190 us a pair of calls here, twice a step. LibTorch and OpenBLAS read OpenMP's count.
  if (parts > 1) omp_set_num_threads(1);  // each slice on one core
  try {
    // A rank's own slice draws from the default generator itself, so it advances as on rank 0,
    // with its masks offset to its first row.
    std::optional<model::BatchSlice> offset;
    if (rank != nullptr) offset.emplace(at::detail::getDefaultCPUGenerator(), first[0]);
    run_slice(model, batch, first[0], first[1] - first[0], weight(0), results[0]);
  } catch (...) {
    results[0].error = std::current_exception();
  }
  for (auto& t : threads) t.join();
  StepOutcome out;
  for (const auto& r : results) {
    if (r.error) std::rethrow_exception(r.error);
    if (idle) continue;
    out.loss += r.loss_sum;
    out.correct += r.correct;
  }
  if (replicas != nullptr) gather_gradients(model, replicas->copies_);
  if (rank != nullptr) {
    std::vector<double> stats{out.loss, static_cast<double>(out.correct),
                              rank->stop_requested ? 1.0 : 0.0};
    out.sync = rank->sync.reduce(stats, n * batch.input_ids.size(1));
    out.loss = stats[0];
    out.correct = static_cast<int64_t>(std::llround(stats[1]));
    out.stop = stats[2] > 0;
  }
  out.loss /= static_cast<double>(n);
  if (!std::isfinite(out.loss)) {
    out.finite = false;
    optimizer.clear_grad();
    return out;
  }
  // The update touches every weight (AdamW moves even the rows without gradient): all the cores.
  if (parts > 1) omp_set_num_threads(static_cast<int>(parts));
  // Clipping as clip_grad_norm_ computes it, folded into the optimizer's pass over the gradients.
  // The norm is taken even without clipping: a non-finite one must stop the step, not enter
  // AdamW's moments, where it would stay.
  out.grad_norm = grad_norm(model->parameters());
  if (!std::isfinite(out.grad_norm)) {
    out.finite = false;
    optimizer.clear_grad();
    return out;
  }
  const double scale = max_grad_norm > 0 ? clip_factor(out.grad_norm, max_grad_norm) : 1.0;
  optimizer.step_scaled(scale);
  return out;
}

}  // namespace cola::train
