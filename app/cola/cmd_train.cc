// `cola train [overrides...]`: fine-tunes the classifier (see train/trainer.h for what a run
// writes). Runs in the LibTorch plugin.
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>

#include "app/cola/commands.h"
#include "app/cola/config_args.h"
#include "app/cola/multirun.h"
#include "app/cola/torch_plugin.h"
#include "app/cola/version.h"
#include "config/bind.h"
#include "config/model_spec.h"
#include "config/resume.h"
#include "config/tree.h"
#include "core/error.h"
#include "dist/launch.h"
#include "dist/world.h"

namespace cola::app {
namespace {

// The best validation metrics, printed at the end of a run.
std::string best_metrics_table(const train::TrainResult& result) {
  if (!result.best) return "no validation ran\n";
  const auto& b = *result.best;
  std::string t = fmt::format("best validation (epoch {}, step {}):\n", b.epoch, b.step);
  t += fmt::format("  {:<16}{:>10.4f}\n", "valid/loss", b.valid_loss);
  t += fmt::format("  {:<16}{:>10.4f}\n", "valid/acc", b.valid.accuracy);
  t += fmt::format("  {:<16}{:>10.4f}\n", "valid/precision", b.valid.precision_macro);
  t += fmt::format("  {:<16}{:>10.4f}\n", "valid/recall", b.valid.recall_macro);
  t += fmt::format("  {:<16}{:>10.4f}\n", "valid/f1_macro", b.valid.f1_macro);
  t += fmt::format("  {:<16}{:>10.4f}\n", "valid/mcc", b.valid.mcc);
  t += fmt::format("checkpoint: {}\n", result.best_checkpoint.string());
  return t;
}

// The config of a run: composed from configs/ and the overrides, or, for training.resume=RUN,
// restored from the run itself. False after --cfg printed it.
bool load_train_config(const ConfigArgs& args, train::TrainRequest& request) {
  const auto resumed = config::resumed_run(args.overrides);
  if (!resumed) {
    auto cfg = load_config(args, &request.resolved_yaml);
    if (!cfg) return false;
    request.config = *cfg;
    request.overrides = args.overrides;
    return true;
  }
  request.config = config::bind_app_config(resumed->effective);
  if (args.print_cfg) {
    std::fputs(config::to_yaml(resumed->effective).c_str(), stdout);
    return false;
  }
  request.resolved_yaml = config::to_yaml(resumed->record);
  request.overrides = resumed->overrides;
  return true;
}

// This process's command line, with the executable as a path the workers can exec.
std::vector<std::string> own_command_line() {
  // fread, not istreambuf_iterator: GCC 12 sees a null dereference in the latter (-Werror).
  std::string all;
  if (std::FILE* f = std::fopen("/proc/self/cmdline", "rb")) {
    std::array<char, 4096> buf{};
    for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), f)) > 0;) all.append(buf.data(), n);
    std::fclose(f);
  }
  std::vector<std::string> argv;
  for (size_t at = 0; at < all.size();) {
    const size_t end = all.find('\0', at);
    argv.push_back(all.substr(at, end - at));
    at = end == std::string::npos ? all.size() : end + 1;
  }
  char exe[PATH_MAX] = {};
  const auto n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (argv.empty() || n <= 0)
    throw Error("training.nproc: cannot read this process's command line");
  argv[0] = std::string(exe, static_cast<size_t>(n));
  return argv;
}

// training.nproc=N: true when this process is the launcher of N local workers (which it has then
// run to the end), as `torchrun --standalone --nproc-per-node N` would.
bool launch_workers(const train::TrainRequest& request) {
  const int nproc = request.config.training.nproc;
  const auto world = dist::world_from_env();
  if (world && world->source == "cola") return false;  // one of the workers
  if (nproc <= 1) return false;
  if (world) {
    throw UsageError(fmt::format(
        "training.nproc={}: this process is already rank {} of {} started by {}; let the "
        "launcher start the processes, or set training.nproc=0",
        nproc, world->rank, world->world_size, world->source));
  }
  dist::LaunchOptions options;
  options.nproc = nproc;
  options.argv = own_command_line();
  dist::launch_local(options);
  return true;
}

}  // namespace

void setup_train(CLI::App& cmd) {
  auto args = std::make_shared<ConfigArgs>();
  auto multirun = std::make_shared<bool>(false);
  add_config_args(cmd, *args);
  cmd.add_flag("-m,--multirun", *multirun,
               "Sweep: run every combination of a=1,2 / range(a,b,step) / choice(x,y) overrides, "
               "each in multirun/<date>/<time>/<n>/ (hydra.sweep.dir=... to change)");
  cmd.callback([args, multirun] {
    if (*multirun) return run_multirun(*args);
    train::TrainRequest request;
    if (!load_train_config(*args, request)) return;
    if (launch_workers(request)) return;
    // Fail fast, before the LibTorch plugin loads, on a model the config cannot describe.
    (void)config::bert_config(request.config.model, 1, request.config.data.labels);
    request.code_version = code_version();  // for the checkpoint manifests
    const auto result = torch_plugin().train(request);
    fmt::print("{}", best_metrics_table(result));
    fmt::print("run directory: {}\n", result.run_dir.string());
    if (result.interrupted) {
      throw Error(fmt::format("interrupted at step {}; continue with training.resume={}",
                              result.steps, result.run_dir.string()));
    }
  });
}

}  // namespace cola::app
