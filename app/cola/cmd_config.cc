// `cola config [overrides...]`: prints the resolved configuration, as every other config-driven
// subcommand would see it (the same as `cola <cmd> --cfg`).
#include "app/cola/commands.h"
#include "app/cola/config_args.h"

namespace cola::app {

void setup_config(CLI::App& cmd) {
  auto args = std::make_shared<ConfigArgs>();
  add_config_args(cmd, *args);
  cmd.callback([args] {
    args->print_cfg = true;
    load_config(*args);
  });
}

}  // namespace cola::app
