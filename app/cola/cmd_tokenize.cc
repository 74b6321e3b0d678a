// `cola tokenize --vocab FILE [--max-length N] [--no-lowercase] [TEXT... | --input FILE|-]`: prints
// one JSON line per text, {"text", "ids", "tokens"}, for checking ids against other tokenizers.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cola/commands.h"
#include "core/error.h"
#include "text/tokenizer.h"

namespace cola::app {
namespace {

struct TokenizeArgs {
  std::string vocab;
  int64_t max_length = text::kDefaultMaxLength;
  bool lowercase = true;
  std::vector<std::string> texts;
  std::string input;  // "-" = stdin
};

void print_encoding(const text::Tokenizer& tokenizer, const text::EncodeOptions& options,
                    const std::string& text, text::Encoding& enc) {
  tokenizer.encode(text, options, enc);
  nlohmann::ordered_json line = {{"text", text}, {"ids", enc.ids}, {"tokens", enc.tokens}};
  std::cout << line.dump() << '\n';
}

void run_tokenize(TokenizeArgs args) {
  if (args.texts.size() == 1 && args.texts[0] == "-" && args.input.empty()) {
    args.texts.clear();  // `cola tokenize -`: one text per line from stdin
    args.input = "-";
  }
  if (args.texts.empty() == args.input.empty()) {
    throw UsageError("give either texts or --input FILE (- for stdin), not both or neither");
  }
  const auto tokenizer = text::Tokenizer::from_file(args.vocab, {.lowercase = args.lowercase});
  const text::EncodeOptions options{.max_length = args.max_length, .with_tokens = true};
  text::Encoding enc;
  for (const auto& t : args.texts) print_encoding(tokenizer, options, t, enc);
  if (args.input.empty()) return;
  std::ifstream file;
  if (args.input != "-") {
    file.open(args.input);
    if (!file) throw Error(args.input + ": cannot open");
  }
  std::istream& in = args.input == "-" ? std::cin : file;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.ends_with('\r')) line.pop_back();
    with_context(fmt::format("{}:{}", args.input, number),
                 [&] { print_encoding(tokenizer, options, line, enc); });
  }
}

}  // namespace

void setup_tokenize(CLI::App& cmd) {
  auto args = std::make_shared<TokenizeArgs>();
  cmd.add_option("--vocab", args->vocab, "WordPiece vocab.txt")->required();
  cmd.add_option("--max-length", args->max_length, "Truncate to N ids, [CLS]/[SEP] included")
      ->capture_default_str();
  cmd.add_flag("!--no-lowercase", args->lowercase, "Keep case and accents (cased vocab)");
  cmd.add_option("--input", args->input, "Read one text per line from FILE (- = stdin)");
  cmd.add_option("texts", args->texts, "Texts to tokenize (a lone - reads lines from stdin)");
  cmd.callback([args] { run_tokenize(*args); });
}

}  // namespace cola::app
