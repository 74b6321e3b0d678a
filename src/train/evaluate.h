#pragma once
// One validation pass: mean loss, the confusion matrix and metrics, and the misclassified rows
// (the table the seed logs to W&B).
#include <cstdint>
#include <vector>

#include "data/batcher.h"
#include "model/bert.h"
#include "track/metrics.h"

namespace cola::train {

struct Misclassified {
  int64_t row = 0;         // index into the validation split
  int64_t label = 0;       // the truth
  int64_t prediction = 0;  // the argmax
  double confidence = 0;   // softmax probability of the prediction
};

struct Evaluation {
  double loss = 0;      // mean cross-entropy per sentence
  double loss_sum = 0;  // summed cross-entropy (what ranks add up)
  int64_t sentences = 0;
  track::ConfusionMatrix confusion{2};  // [truth][prediction]
  track::ClassificationMetrics metrics;
  std::vector<Misclassified> errors;  // in row order
};

/// Evaluates `model` (switched to eval mode and back) on at most `max_batches` batches of
/// `batcher`'s length-sorted evaluation plan. With `shards` > 1, only batches b with
/// b % shards == shard: one rank's share, whose counts the ranks then sum.
Evaluation evaluate(model::BertForSequenceClassificationImpl& model, const data::Batcher& batcher,
                    int64_t max_batches, int shard = 0, int shards = 1);

}  // namespace cola::train
