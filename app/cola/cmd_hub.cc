// `cola hub download org/name[@rev] [--config-only] [--cache-dir DIR]`: puts a model's files in the
// Hugging Face Hub cache (shared with Python's huggingface_hub) and prints the snapshot directory,
// as `huggingface-cli download` does. A progress bar goes to stderr when it is a terminal.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "app/cola/commands.h"
#include "hub/download.h"
#include "hub/repo_id.h"
#include "hub/settings.h"
#include "track/progress.h"

namespace cola::app {
namespace {

struct DownloadArgs {
  std::string repo;  // org/name[@rev]
  bool config_only = false;
  std::string cache_dir;  // overrides HF_HUB_CACHE
};

// One bar per file, redrawn in place; only called for files that are downloaded.
hub::Progress terminal_progress() {
  struct Bar {
    std::string file;
    std::unique_ptr<track::Progress> progress;
  };
  auto bar = std::make_shared<Bar>();
  return [bar](const std::string& file, uint64_t done, uint64_t total) {
    if (bar->file != file || !bar->progress) {
      bar->file = file;
      bar->progress = std::make_unique<track::Progress>(file, static_cast<int64_t>(total), stderr);
    }
    const std::string mb = fmt::format("{:.1f}/{:.1f} MB", static_cast<double>(done) / 1e6,
                                       static_cast<double>(total) / 1e6);
    if (done < total) return bar->progress->update(static_cast<int64_t>(done), mb);
    bar->progress->finish(mb);
    bar->progress.reset();
  };
}

void run_download(const DownloadArgs& args) {
  const hub::RepoRef repo = hub::parse_repo_ref(args.repo);
  hub::Settings settings = hub::Settings::from_env();
  if (!args.cache_dir.empty()) settings.cache_dir = args.cache_dir;
  const auto need = args.config_only ? hub::Need::kConfigOnly : hub::Need::kModel;
  const bool tty = ::isatty(::fileno(stderr)) != 0;
  const auto snapshot = hub::fetch(repo, need, settings, tty ? terminal_progress() : nullptr);
  fmt::print("{}\n", snapshot.dir.string());
}

}  // namespace

void setup_hub(CLI::App& cmd) {
  cmd.require_subcommand(1);
  auto args = std::make_shared<DownloadArgs>();
  auto* download = cmd.add_subcommand(
      "download", "Fetch a model's files into the Hub cache; prints the snapshot directory");
  download->add_option("repo", args->repo, "org/name or org/name@revision")->required();
  download->add_flag("--config-only", args->config_only,
                     "Only config.json, vocab.txt, tokenizer_config.json (no weights)");
  download->add_option("--cache-dir", args->cache_dir,
                       "Hub cache (default: HF_HUB_CACHE, else $HF_HOME/hub)");
  download->callback([args] { run_download(*args); });
}

}  // namespace cola::app
