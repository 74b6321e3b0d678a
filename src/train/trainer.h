#pragma once
// `cola train`: fine-tunes BertForSequenceClassification on the configured data with AdamW, a
// linear warm-up/decay schedule, per-epoch validation, early stopping on valid/loss, and resumable
// checkpoints. Each run writes into its own directory (hydra.run.dir):
//   .hydra/config.yaml, .hydra/overrides.yaml   the resolved config and the overrides
//   train.log                                   the log
//   metrics.jsonl                               one object per logged step and per validation
//   misclassified/epoch-<n>.jsonl               the validation sentences the model got wrong
//   checkpoints/{best,last}/                    Hugging Face checkpoint directories
//   checkpoints/{best,last}.manifest.json       their files' hashes, config hash, data hashes
//   events.out.tfevents.*                       TensorBoard scalars, text and images
//   summary.json                                the outcome
// In a multi-process job (torchrun, Slurm, training.nproc) only rank 0 writes these; rank N > 0
// logs to train.rank<N>.log.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/schema.h"
#include "track/metrics.h"

namespace cola::train {

struct TrainRequest {
  config::AppConfig config;
  std::string resolved_yaml;           // written to .hydra/config.yaml
  std::vector<std::string> overrides;  // written to .hydra/overrides.yaml
  int64_t stop_after_steps = 0;        // act as if Ctrl-C came after this many steps; 0 = never
  bool progress = true;                // draw the progress line on stderr
  std::string code_version;            // `git describe` of the source, for manifests; may be empty
};

/// One epoch's validation.
struct EpochResult {
  int64_t epoch = 0;      // 1-based
  int64_t step = 0;       // optimizer steps when it ran
  double train_loss = 0;  // mean over the epoch's batches
  double train_acc = 0;
  double valid_loss = 0;
  track::ClassificationMetrics valid;
};

struct TrainResult {
  std::filesystem::path run_dir;
  std::filesystem::path best_checkpoint;  // empty when no validation ran
  std::filesystem::path last_checkpoint;
  std::vector<EpochResult> epochs;  // validations of this process, in order
  std::optional<EpochResult> best;  // the best by valid/loss
  std::vector<double> step_losses;  // every optimizer step's loss, in this process
  int64_t steps = 0;                // optimizer steps in total (resumed ones included)
  bool interrupted = false;         // stopped by Ctrl-C (or stop_after_steps)
  bool early_stopped = false;
  double train_seconds = 0;            // time in training steps only
  int64_t train_sentences = 0;         // sentences seen in those steps
  int world_size = 1;                  // processes in the job (torchrun, Slurm or training.nproc)
  int rank = 0;                        // this process's; only rank 0 writes the run's files
  double allreduce_seconds = 0;        // in the gradient all-reduce, over this process's steps
  int64_t allreduce_bytes = 0;         // this rank's all-reduce payload over those steps
  int64_t sparse_embedding_steps = 0;  // steps whose embedding gradient went as sparse rows
};

/// Runs the training job. Throws UsageError for a bad config and Error for bad data or a
/// non-finite loss (the last good checkpoint stays as it was).
TrainResult train(const TrainRequest& request);

}  // namespace cola::train
