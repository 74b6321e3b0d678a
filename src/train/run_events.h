#pragma once
// The run's TensorBoard event file (track/event_writer.h): what `cola train` logs there, in one
// place. TensorBoard reads it, and so does W&B's sync_tensorboard: the seed's W&B panels (loss and
// metric curves, the confusion matrix, the table of misclassified validation sentences).
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/example.h"
#include "track/event_writer.h"
#include "train/evaluate.h"

namespace cola::train {

class RunEvents {
 public:
  /// Opens a new event file in `run_dir` and logs the resolved config as text at step 0. A run
  /// continued in place from step `resumed_step` first logs a session start at the step after it,
  /// so TensorBoard reads the files as one run, without what the killed process logged after its
  /// last checkpoint.
  RunEvents(const std::filesystem::path& run_dir, const std::string& resolved_yaml,
            int64_t resumed_step = 0);

  /// train/loss, train/acc and train/lr, every log_every_n_steps.
  void train_step(int64_t step, double loss, double acc, double lr);
  /// Every numeric field of a validation record (valid/*, train/epoch_*) as scalars, the
  /// misclassified sentences as a Markdown table, and the confusion matrix as an image; then
  /// flushes, so a run that dies later keeps everything up to its last validation.
  void validation(int64_t step, const nlohmann::json& record, const Evaluation& ev,
                  const std::vector<data::Example>& sentences,
                  const std::vector<std::string>& labels);
  /// Makes everything logged so far durable (also done by the destructor).
  void flush() { writer_.flush(); }

 private:
  track::EventWriter writer_;
};

}  // namespace cola::train
