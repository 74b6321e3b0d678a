#pragma once
// What `training.resume` needs beyond the weights, saved inside each checkpoint directory:
//   trainer_state.json  counters and early-stopping state (readable, and checked on load)
//   optimizer.pt        AdamW moments and step counts (LibTorch's archive format)
//   rng_state.pt        LibTorch's CPU generator (dropout masks continue where they stopped)
// The batch order needs no state: each epoch's order is a function of (seed, epoch).
#include <torch/optim/adamw.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace cola::train {

struct TrainerState {
  int64_t epoch = 0;            // the epoch in progress (0-based)
  int64_t batch = 0;            // batches of that epoch already done
  int64_t step = 0;             // optimizer steps so far
  double best_valid_loss = 0;   // early stopping's best (inf before the first validation)
  int64_t bad_epochs = 0;       // validations since the best
  uint64_t seed = 0;            // the run's seed: resuming with another one would not reproduce
  int64_t steps_per_epoch = 0;  // must match on resume (same data and limits)
  int64_t total_steps = 0;      // the LR schedule's length
};

inline constexpr char kTrainerStateFile[] = "trainer_state.json";

/// Writes trainer_state.json, optimizer.pt and rng_state.pt into `dir`.
void save_trainer_state(const std::filesystem::path& dir, const TrainerState& state,
                        torch::optim::AdamW& optimizer);

/// Reads trainer_state.json alone; Error naming the file on a missing or malformed one.
TrainerState read_trainer_state(const std::filesystem::path& dir);

/// Reads them back, restoring the optimizer and the global generator; Error naming the file on a
/// missing or malformed one.
TrainerState load_trainer_state(const std::filesystem::path& dir, torch::optim::AdamW& optimizer);

}  // namespace cola::train
