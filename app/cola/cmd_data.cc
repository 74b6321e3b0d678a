// `cola data stats [overrides...] [--path FILE] [--vocab FILE]`: rows, label balance and length
// percentiles of each split. `cola data download [--dir DIR]`: fetch and unpack the real CoLA.
#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cola/commands.h"
#include "app/cola/config_args.h"
#include "data/cola_download.h"
#include "data/reader.h"
#include "data/stats.h"
#include "data/tokenize.h"
#include "text/tokenizer.h"

namespace cola::app {
namespace {

struct StatsArgs {
  ConfigArgs config;
  std::string path;   // one file instead of the configured splits
  std::string vocab;  // overrides data.vocab
};

// Untruncated lengths (so the tail above data.max_length shows), in tokens when there is a
// tokenizer, else in whitespace-separated words.
std::vector<int64_t> lengths(const data::Split& split, const text::Tokenizer* tokenizer) {
  std::vector<int64_t> out;
  if (tokenizer != nullptr) {
    for (const auto& ids : data::tokenize_split(split, *tokenizer, 0).ids) {
      out.push_back(std::ssize(ids));
    }
    return out;
  }
  for (const auto& example : split.examples) out.push_back(data::count_words(example.sentence));
  return out;
}

void print_split(const std::string& title, const data::Split& split,
                 const text::Tokenizer* tokenizer, const config::DataConfig& cfg,
                 const std::string& unit) {
  const auto stats = data::compute_stats(split, lengths(split, tokenizer),
                                         static_cast<int64_t>(cfg.labels.size()));
  fmt::print("{}", data::format_stats(fmt::format("{} ({})", title, split.path.string()), stats,
                                      cfg.labels, unit));
}

void run_stats(const StatsArgs& args) {
  const auto app_config = load_config(args.config);
  if (!app_config) return;
  const config::DataConfig& cfg = app_config->data;
  const std::string vocab = args.vocab.empty() ? cfg.vocab : args.vocab;
  std::optional<text::Tokenizer> tokenizer;
  std::string unit = "whitespace words; no vocab given: set data.vocab or pass --vocab";
  if (!vocab.empty()) {
    tokenizer = text::Tokenizer::from_file(vocab, {.lowercase = cfg.lowercase});
    unit = fmt::format("tokens incl. [CLS]/[SEP], vocab {}", vocab);
  }
  const text::Tokenizer* tok = tokenizer ? &*tokenizer : nullptr;
  if (!args.path.empty()) {
    return print_split("file", data::read_split(args.path, cfg), tok, cfg, unit);
  }
  const data::Splits splits = data::read_splits(cfg);
  print_split("train", splits.train, tok, cfg, unit);
  if (splits.valid) print_split("dev", *splits.valid, tok, cfg, unit);
}

void run_download(const std::string& dir) {
  for (const auto& path : data::download_cola(dir)) fmt::print("wrote {}\n", path.string());
  fmt::print("use it with: cola <command> data=cola data.dir={}\n", dir);
}

}  // namespace

void setup_data(CLI::App& cmd) {
  cmd.require_subcommand(1);
  auto stats_args = std::make_shared<StatsArgs>();
  auto* stats = cmd.add_subcommand("stats", "Rows, label balance and length percentiles per split");
  add_config_args(*stats, stats_args->config);
  stats->add_option("--path", stats_args->path,
                    "Describe this one file instead (same data.* options)");
  stats->add_option("--vocab", stats_args->vocab,
                    "vocab.txt for token lengths (default: data.vocab)");
  stats->callback([stats_args] { run_stats(*stats_args); });

  auto dir = std::make_shared<std::string>("data/cola/raw");
  auto* download = cmd.add_subcommand("download", "Fetch CoLA v1.1 (sha256-checked) and unpack it");
  download->add_option("--dir", *dir, "Where in_domain_{train,dev}.tsv go")->capture_default_str();
  download->callback([dir] { run_download(*dir); });
}

}  // namespace cola::app
