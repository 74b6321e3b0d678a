#pragma once
// The trainer's side of a multi-process job (torchrun, Slurm, or training.nproc's own launcher):
// joining it, agreeing on the run, and summing what each rank measured.
#include <filesystem>
#include <memory>
#include <string>

#include "config/schema.h"
#include "dist/world.h"
#include "train/evaluate.h"
#include "train/process_group.h"

namespace cola::train {

/// The job this process was started in, or nullopt for a single process (also for a job of one).
/// Throws UsageError for a malformed environment, naming the variable.
std::optional<dist::World> job_world();

/// Joins the job's process group, with training.dist_timeout_s bounding every wait.
std::unique_ptr<ProcessGroup> join_job(const dist::World& world,
                                       const config::TrainingConfig& training);

/// Rank 0's run directory, which every rank takes (each may have resolved ${now:...} a second
/// apart). Rank 0 passes its own, or the error that stopped it before training, which every rank
/// then reports. The other ranks check that their resolved config is rank 0's, but for the
/// directory: ranks started with different overrides would train different models. Rank 0 returns
/// its own directory even with an error, for the caller to throw as it would alone.
std::filesystem::path agree_on_run(ProcessGroup& group, const std::filesystem::path& run_dir,
                                   const std::string& resolved_yaml,
                                   const std::string& rank0_error = {});

/// Sums each rank's share of a validation (evaluate's shard) into the whole dev set's: loss,
/// counts and metrics on every rank, and the misclassified rows on rank 0. `tag` names this
/// validation in the store (unique per validation).
void reduce_evaluation(ProcessGroup& group, Evaluation& ev, const std::string& tag);

}  // namespace cola::train
