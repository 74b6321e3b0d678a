// `cola report RUN [-o FILE]`: writes a self-contained report.html for a run directory.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "app/cola/commands.h"
#include "track/report.h"

namespace cola::app {

void setup_report(CLI::App& cmd) {
  auto run = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd.add_option("run", *run, "Run directory (holds .hydra/config.yaml)")->required();
  cmd.add_option("-o,--output", *output, "Where to write the HTML (default: RUN/report.html)");
  cmd.callback(
      [run, output] { fmt::print("wrote {}\n", track::write_report(*run, *output).string()); });
}

}  // namespace cola::app
