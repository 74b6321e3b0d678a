#pragma once
// The subcommand table's entries. Each cmd_<name>.cc defines one setup function that declares the
// subcommand's flags on `cmd` and installs a thin callback over the library.
#include <CLI/CLI.hpp>

namespace cola::app {

struct Command {
  const char* name;              // the subcommand, as typed
  const char* summary;           // one line for `cola --help`
  void (*setup)(CLI::App& cmd);  // declares flags and the callback
};

void setup_config(CLI::App& cmd);
void setup_vocab(CLI::App& cmd);
void setup_tokenize(CLI::App& cmd);
void setup_data(CLI::App& cmd);
void setup_train(CLI::App& cmd);
void setup_runs(CLI::App& cmd);
void setup_report(CLI::App& cmd);
void setup_verify(CLI::App& cmd);
void setup_export(CLI::App& cmd);
void setup_quantize(CLI::App& cmd);
void setup_predict(CLI::App& cmd);
void setup_bench(CLI::App& cmd);
void setup_hub(CLI::App& cmd);
void setup_convert(CLI::App& cmd);
void setup_serve(CLI::App& cmd);
void setup_web(CLI::App& cmd);

}  // namespace cola::app
