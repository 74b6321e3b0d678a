#include "app/cola/multirun.h"

#include <fmt/format.h>

#include <chrono>
#include <string>
#include <vector>

#include "app/cola/torch_plugin.h"
#include "app/cola/version.h"
#include "config/model_spec.h"
#include "config/sweep.h"
#include "core/error.h"
#include "core/file.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "track/manifest.h"
#include "track/run_info.h"
#include "track/runs_table.h"

namespace cola::app {
namespace {

// The job's config: its overrides plus its run dir. Composition errors name the job.
train::TrainRequest job_request(const ConfigArgs& args, const config::MultirunJob& job) {
  ConfigArgs job_args = args;
  job_args.overrides = job.overrides;
  job_args.overrides.push_back("hydra.run.dir=" + job.dir.string());
  job_args.print_cfg = false;
  train::TrainRequest request;
  request.config = *with_context(fmt::format("multirun job {}", job.index),
                                 [&] { return load_config(job_args, &request.resolved_yaml); });
  (void)config::bert_config(request.config.model, 1, request.config.data.labels);
  request.overrides = job.overrides;      // Hydra records the task overrides, not hydra.*
  request.code_version = code_version();  // for the checkpoint manifests
  return request;
}

void save_summary(const config::MultirunPlan& plan) {
  std::vector<track::RunInfo> runs;
  for (const auto& job : plan.jobs) {
    if (track::is_run_dir(job.dir)) runs.push_back(track::load_run(job.dir));
  }
  const std::string table = track::format_runs_table(runs);
  write_file_atomic(plan.dir / "summary.txt", table);
  fmt::print("\nmultirun summary ({}):\n{}", (plan.dir / "summary.txt").string(), table);
}

}  // namespace

void run_multirun(const ConfigArgs& args) {
  const auto plan = config::plan_multirun(args.overrides, std::chrono::system_clock::now());
  std::vector<train::TrainRequest> requests;
  for (const auto& job : plan.jobs) requests.push_back(job_request(args, job));
  if (args.print_cfg) {
    for (size_t i = 0; i < requests.size(); ++i) {
      fmt::print("# job {}: {}\n{}", i, fmt::join(plan.jobs[i].overrides, " "),
                 requests[i].resolved_yaml);
    }
    return;
  }
  for (const auto& r : requests) {
    if (r.config.training.nproc > 1) {
      throw UsageError(fmt::format(
          "training.nproc={}: a multirun's jobs run one after another in this process; start "
          "each multi-process run on its own",
          r.config.training.nproc));
    }
  }
  const TorchPlugin& plugin = torch_plugin();  // a missing plugin fails once, not once per job
  log::info("multirun: {} jobs in {}", plan.jobs.size(), plan.dir.string());
  std::vector<std::string> failed;
  bool interrupted = false;
  for (size_t i = 0; i < plan.jobs.size() && !interrupted; ++i) {
    const auto& job = plan.jobs[i];
    log::info("multirun job #{} of {}: {}", job.index, plan.jobs.size(),
              fmt::join(job.overrides, " "));
    try {
      interrupted = plugin.train(requests[i]).interrupted || interrupt_requested();
    } catch (const UsageError&) {
      throw;  // the same mistake would fail every job
    } catch (const Error& e) {
      log::error("multirun job {} failed: {}", job.index, one_line_message(e));
      failed.push_back(std::to_string(job.index));
    }
  }
  save_summary(plan);
  if (interrupted)
    throw Error(fmt::format("multirun interrupted; finished jobs are in {}", plan.dir.string()));
  if (!failed.empty()) {
    throw Error(fmt::format("multirun: {} of {} jobs failed (job {})", failed.size(),
                            plan.jobs.size(), fmt::join(failed, ", ")));
  }
}

}  // namespace cola::app
