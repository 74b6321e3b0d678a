#pragma once
// `cola train -m ...`: Hydra-style multirun over the LibTorch plugin's train().
#include "app/cola/config_args.h"

namespace cola::app {

/// Plans the sweep (config/sweep.h), validates every job's config before any job runs, then
/// trains the jobs one after another, each in <sweep dir>/<n>/. Prints the summary table and
/// saves it as <sweep dir>/summary.txt. A job that fails is reported and the sweep goes on;
/// throws Error at the end naming the failed jobs. With --cfg, prints each job's config instead.
void run_multirun(const ConfigArgs& args);

}  // namespace cola::app
