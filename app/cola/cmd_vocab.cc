// `cola vocab build --input FILE... --size N --output vocab.txt`: trains a WordPiece vocabulary on
// plain text (one sentence a line) or raw CoLA TSV files, as Hugging Face's WordPieceTrainer does.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "app/cola/commands.h"
#include "core/error.h"
#include "core/log.h"
#include "text/corpus.h"
#include "text/vocab.h"
#include "text/vocab_trainer.h"

namespace cola::app {
namespace {

struct VocabBuildArgs {
  std::vector<std::string> inputs;
  std::string output;
  text::TrainerOptions options;
};

void run_vocab_build(const VocabBuildArgs& args) {
  const int64_t specials = std::size(text::kSpecialTokens);
  if (args.options.vocab_size <= specials) {
    throw UsageError(fmt::format("--size must be more than the {} special tokens, got {}", specials,
                                 args.options.vocab_size));
  }
  text::WordCounts counts;
  size_t sentences = 0;
  for (const auto& input : args.inputs) {
    const auto lines = text::read_sentences(input);
    sentences += lines.size();
    text::count_words(lines, args.options, counts);
  }
  const auto tokens = text::train_wordpiece(counts, args.options);
  text::write_vocab(args.output, tokens);
  log::info("wrote {} tokens to {} ({} sentences, {} distinct words)", tokens.size(), args.output,
            sentences, counts.size());
}

}  // namespace

void setup_vocab(CLI::App& cmd) {
  cmd.require_subcommand(1);
  auto* build = cmd.add_subcommand("build", "Train a WordPiece vocab.txt (HF WordPieceTrainer)");
  auto args = std::make_shared<VocabBuildArgs>();
  build->add_option("--input", args->inputs, "Text (one sentence a line) or raw CoLA TSV files")
      ->required();
  build->add_option("--size", args->options.vocab_size, "Target number of tokens")->required();
  build->add_option("--output", args->output, "Where to write vocab.txt")->required();
  build->add_flag("--lowercase,!--no-lowercase", args->options.lowercase,
                  "Lowercase and strip accents (the default, uncased); --no-lowercase keeps case");
  build
      ->add_option("--min-frequency", args->options.min_frequency,
                   "Merge a pair only if it occurs at least this often")
      ->capture_default_str();
  build
      ->add_option("--limit-alphabet", args->options.limit_alphabet,
                   "Keep at most this many initial characters, the most frequent (0 = all)")
      ->capture_default_str();
  build->callback([args] { run_vocab_build(*args); });
}

}  // namespace cola::app
