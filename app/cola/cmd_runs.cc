// `cola runs [DIR...] [--sort KEY] [--reverse] [--filter 'valid/mcc>0.1']...`: one row per run
// directory found under the DIRs (default: outputs and multirun).
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "app/cola/commands.h"
#include "core/error.h"
#include "track/runs_table.h"

namespace cola::app {
namespace {

struct RunsArgs {
  std::vector<std::string> dirs;
  std::string sort = "date";
  bool reverse = false;
  std::vector<std::string> filters;
};

void run_runs(const RunsArgs& args) {
  track::RunsQuery query;
  std::vector<std::string> searched;
  const bool defaults = args.dirs.empty();
  for (const auto& d : defaults ? std::vector<std::string>{"outputs", "multirun"} : args.dirs) {
    // An explicit directory that does not exist is a mistake; the defaults may simply be absent.
    if (!defaults && !std::filesystem::is_directory(d)) {
      throw Error(fmt::format("{}: no such directory", d));
    }
    query.roots.emplace_back(d);
    searched.push_back(d);
  }
  track::check_run_key(args.sort);
  query.sort_key = args.sort;
  query.descending = args.reverse;
  for (const auto& f : args.filters) query.filters.push_back(track::parse_run_filter(f));
  const auto runs = track::query_runs(query);
  if (runs.empty()) {
    fmt::print("no runs found under {}\n", fmt::join(searched, ", "));
    return;
  }
  fmt::print("{}", track::format_runs_table(runs));
}

}  // namespace

void setup_runs(CLI::App& cmd) {
  auto args = std::make_shared<RunsArgs>();
  cmd.add_option("dirs", args->dirs, "Directories to search for runs (default: outputs multirun)");
  cmd.add_option("--sort", args->sort,
                 "Sort key: date, status, epochs, duration, valid/loss, valid/acc, valid/mcc, ...")
      ->capture_default_str();
  cmd.add_flag("--reverse", args->reverse, "Sort in descending order");
  cmd.add_option("--filter", args->filters,
                 "Keep runs matching KEY OP VALUE, e.g. 'valid/mcc>0.1' or 'status==finished' "
                 "(repeatable; all must match)");
  cmd.callback([args] { run_runs(*args); });
}

}  // namespace cola::app
