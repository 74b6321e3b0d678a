#pragma once
// `cola train training.resume=RUN` (or RUN/checkpoints/<name>): the run's own composed config,
// restored from RUN/.hydra/config.yaml, so that nothing has to be retyped. Overrides beside it
// apply only to the keys that may change without changing what is trained (more epochs or steps,
// the log and checkpoint frequency, the threads); any other is refused by name.
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cola::config {

/// The keys an override beside training.resume may set.
const std::vector<std::string>& resumable_keys();

struct ResumedRun {
  std::filesystem::path run_dir;       // continued in place
  std::filesystem::path checkpoint;    // what training.resume is set to
  YAML::Node effective;                // the run's config, the overrides, resume and run dir set
  YAML::Node record;                   // the same without resume: the next .hydra/config.yaml
  std::vector<std::string> overrides;  // the run's overrides.yaml, then the new ones
};

/// When `overrides` hold training.resume=X and X is a run directory (it has .hydra/config.yaml),
/// or a checkpoint inside one (X/../../.hydra/config.yaml), the run to continue. nullopt when
/// there is no training.resume, or X is a checkpoint outside any run (the composed config then
/// applies, as for a fresh run). Throws UsageError naming the override or file at fault.
std::optional<ResumedRun> resumed_run(const std::vector<std::string>& overrides);

}  // namespace cola::config
