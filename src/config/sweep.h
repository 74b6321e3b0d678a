#pragma once
// Hydra multirun (`cola train -m ...`): sweep overrides expand into the cartesian product of their
// values, run one job after another, each in <sweep dir>/<n>/. Sweep forms, as Hydra writes them:
//   key=a,b,c                  a list of values
//   key=range(stop)            Python's range; also range(start,stop) and range(start,stop,step);
//                              floats allowed: range(0.1,0.4,0.1) → 0.1, 0.2, 0.3
//   key=choice(a,b)            a list of values, spelled as a function
// Order follows Hydra's BasicSweeper: the first override varies slowest, the last fastest.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "config/override.h"

namespace cola::config {

/// The values a sweep override takes; a non-sweep override yields its one value. Throws
/// UsageError quoting the override on a malformed range()/choice() or an empty value.
std::vector<std::string> sweep_values(const Override& o);

/// The overrides of every job: one list per element of the cartesian product, each override
/// rewritten with its chosen value ("training.lr=1e-3,3e-4" → "training.lr=1e-3").
std::vector<std::vector<std::string>> expand_sweep(const std::vector<std::string>& overrides);

struct MultirunJob {
  int index = 0;                       // 0-based, as Hydra numbers jobs
  std::filesystem::path dir;           // <sweep dir>/<index>
  std::vector<std::string> overrides;  // the job's task overrides (for .hydra/overrides.yaml)
};

struct MultirunPlan {
  std::filesystem::path dir;  // multirun/YYYY-MM-DD/HH-MM-SS, or hydra.sweep.dir=...
  std::vector<MultirunJob> jobs;
};

/// Plans a multirun: consumes a hydra.sweep.dir=DIR override (else multirun/<date>/<time> in
/// local time at `now`), and expands the rest. hydra.run.dir is rejected: each job's run dir is
/// its sweep subdirectory.
MultirunPlan plan_multirun(const std::vector<std::string>& overrides,
                           std::chrono::system_clock::time_point now);

}  // namespace cola::config
