#include "config/resume.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "config/compose.h"
#include "config/override.h"
#include "config/tree.h"
#include "core/error.h"

namespace cola::config {
namespace fs = std::filesystem;
namespace {

constexpr char kResumeKey[] = "training.resume";

fs::path hydra_config(const fs::path& run_dir) { return run_dir / ".hydra" / "config.yaml"; }

std::vector<std::string> load_overrides(const fs::path& run_dir) {
  const auto file = run_dir / ".hydra" / "overrides.yaml";
  if (!fs::exists(file)) return {};
  const auto node = load_yaml_file(file);
  std::vector<std::string> out;
  if (!node.IsSequence())
    throw UsageError(fmt::format("{}: not a list of overrides", file.string()));
  for (size_t i = 0; i < node.size(); ++i) {
    if (!node[i].IsScalar()) {
      throw UsageError(
          fmt::format("{}: entry {} is not an override (key=value)", file.string(), i));
    }
    out.push_back(node[i].Scalar());
  }
  return out;
}

std::string resume_value(const Override& o) {
  const auto v = parse_value(o.value);
  if (!v.IsScalar() || v.Scalar().empty()) {
    throw UsageError(fmt::format("{}: expected a run directory or a checkpoint in one", o.text));
  }
  return v.Scalar();
}

}  // namespace

const std::vector<std::string>& resumable_keys() {
  static const std::vector<std::string> keys{
      "training.max_epochs", "training.max_steps", "training.log_every_n_steps",
      "training.checkpoint_every_n_steps", "training.num_threads", "training.data_parallel",
      // How many processes train it, and how they talk, do not change the result.
      "training.nproc", "training.dist_timeout_s", "training.embedding_allreduce"};
  return keys;
}

std::optional<ResumedRun> resumed_run(const std::vector<std::string>& overrides) {
  std::vector<Override> parsed;
  std::optional<Override> resume;
  for (const auto& text : overrides) {
    auto o = parse_override(text);
    if (o.key == kResumeKey && o.kind != OverrideKind::remove) {
      resume = o;
    } else {
      parsed.push_back(std::move(o));
    }
  }
  if (!resume) return std::nullopt;
  // RUN/ and RUN/checkpoints/last/ as a shell completes them: without the trailing separator,
  // whose empty file name would make parent_path() the directory itself.
  fs::path target = fs::path(resume_value(*resume)).lexically_normal();
  if (!target.has_filename() && target.has_parent_path()) target = target.parent_path();
  ResumedRun run;
  if (fs::exists(hydra_config(target))) {
    run.run_dir = target;
    run.checkpoint = target / "checkpoints" / "last";
  } else if (target.has_parent_path() &&
             fs::exists(hydra_config(target.parent_path().parent_path()))) {
    run.run_dir = target.parent_path().parent_path();
    run.checkpoint = target;
  } else {
    return std::nullopt;  // a checkpoint outside a run: the composed config describes the run
  }
  if (!fs::exists(run.checkpoint)) {
    throw UsageError(
        fmt::format("{}: {} does not exist: the run stopped before its first checkpoint (set "
                    "training.checkpoint_every_n_steps to save one more often); start it again",
                    resume->text, run.checkpoint.string()));
  }
  run.record = load_yaml_file(hydra_config(run.run_dir));
  if (!run.record.IsMap() || run.record.size() == 0) {
    throw UsageError(
        fmt::format("{}: not a composed config (a YAML map)", hydra_config(run.run_dir).string()));
  }
  run.overrides = load_overrides(run.run_dir);
  const auto& allowed = resumable_keys();
  for (const auto& o : parsed) {
    if (std::find(allowed.begin(), allowed.end(), o.key) == allowed.end() ||
        o.kind == OverrideKind::remove || !o.sweep.empty()) {
      throw UsageError(fmt::format(
          "{}: a resumed run keeps the data, model and schedule of {}; beside training.resume "
          "only {} may be set",
          o.text, hydra_config(run.run_dir).string(), fmt::join(allowed, ", ")));
    }
    assign(run.record, o.key, parse_value(o.value));
    // The record replays from the primary config: a key changed twice keeps its last value.
    run.overrides.push_back(o.text);
  }
  assign(run.record, kResumeKey, YAML::Node(""));
  run.effective = YAML::Clone(run.record);
  assign(run.effective, kResumeKey, YAML::Node(run.checkpoint.string()));
  assign(run.effective, "hydra.run.dir", YAML::Node(run.run_dir.string()));
  return run;
}

}  // namespace cola::config
