// `cola verify PATH...`: checks artifacts (a checkpoint directory, an exported model, or their
// *.manifest.json) against their manifests. Exits 1 naming the first file that differs.
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "app/cola/commands.h"
#include "core/error.h"
#include "track/manifest.h"

namespace cola::app {
namespace {

void run_verify(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    const auto report = track::verify_manifest(path);
    if (!report.problems.empty()) {
      // Every problem on stdout; the one-line error on stderr names the first.
      for (const auto& p : report.problems) fmt::print("differs: {}\n", p);
      throw Error(fmt::format("{} (verify against {}: {} problem(s))", report.problems.front(),
                              report.manifest.string(), report.problems.size()));
    }
    fmt::print("ok: {} ({} files match {})\n", path, report.files_checked,
               report.manifest.string());
  }
}

}  // namespace

void setup_verify(CLI::App& cmd) {
  auto paths = std::make_shared<std::vector<std::string>>();
  cmd.add_option("paths", *paths, "Artifacts or manifests to verify")->required();
  cmd.callback([paths] { run_verify(*paths); });
}

}  // namespace cola::app
