// `cola`: the command-line entry point. One subcommand table, and the one top-level catch that
// turns any exception into one line on stderr and exit code 2 (usage) or 1 (anything else).
#include <cstdio>
#include <exception>
#include <string>

#include "app/cola/commands.h"
#include "app/cola/version.h"
#include "core/error.h"
#include "core/log.h"

namespace {

using cola::app::Command;

// The subcommand table: the one place that lists what `cola` can do.
constexpr Command kCommands[] = {
    {"config", "Print the resolved configuration (Hydra-style composition)",
     cola::app::setup_config},
    {"vocab", "Train a WordPiece vocabulary (vocab build)", cola::app::setup_vocab},
    {"tokenize", "Tokenize texts with a BERT WordPiece vocabulary (JSON lines)",
     cola::app::setup_tokenize},
    {"data", "Dataset statistics (data stats) and the CoLA download (data download)",
     cola::app::setup_data},
    {"train", "Fine-tune the BERT classifier (LibTorch); writes a run directory",
     cola::app::setup_train},
    {"export", "Export a checkpoint to a validated, self-contained ONNX file",
     cola::app::setup_export},
    {"quantize", "Quantize an exported ONNX file to int8, validated against it",
     cola::app::setup_quantize},
    {"convert", "Write any checkpoint (.bin, Lightning .ckpt, Hub id) as a safetensors directory",
     cola::app::setup_convert},
    {"predict", "Classify sentences with an .onnx model or a checkpoint (JSON lines)",
     cola::app::setup_predict},
    {"bench", "Benchmark ONNX Runtime against LibTorch (batch, padding, threads)",
     cola::app::setup_bench},
    {"serve", "Serve an .onnx over HTTP with dynamic batching (TEI-compatible /predict)",
     cola::app::setup_serve},
    {"web", "Write a static site that classifies sentences in the browser (onnxruntime-web)",
     cola::app::setup_web},
    {"runs", "List run directories with their best metrics (sort, filter)", cola::app::setup_runs},
    {"report", "Write a self-contained HTML report of a run", cola::app::setup_report},
    {"verify", "Check an artifact against its *.manifest.json", cola::app::setup_verify},
    {"hub", "Hugging Face Hub: download a model into the cache shared with Python (hub download)",
     cola::app::setup_hub},
};

// One line on stderr, never a backtrace: messages from third-party libraries may carry several.
int fail(const std::string& message, int code) {
  std::fprintf(stderr, "cola: error: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cola: train a BERT acceptability classifier on CoLA, export it to ONNX, predict"};
  app.set_version_flag("--version", cola::app::version_string());
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug|info|warn|error|off (logs go to stderr)")
      ->capture_default_str();
  app.parse_complete_callback([&] { cola::log::set_level(cola::log::parse_level(log_level)); });
  for (const auto& c : kCommands) c.setup(*app.add_subcommand(c.name, c.summary));

  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: print to stdout, exit 0
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && argc == 1) {
      msg = "a subcommand is required; run 'cola --help' for the list";
    }
    return fail(cola::one_line_message(std::runtime_error(msg)), 2);
  } catch (const std::exception& e) {
    return fail(cola::one_line_message(e), cola::exit_code_for(e));
  } catch (...) {
    return fail("unknown error", 1);
  }
}
