#include "train/distributed.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/strings.h"

namespace cola::train {
namespace fs = std::filesystem;

std::optional<dist::World> job_world() {
  auto world = dist::world_from_env();
  if (!world || world->world_size <= 1) return std::nullopt;
  return world;
}

std::unique_ptr<ProcessGroup> join_job(const dist::World& world,
                                       const config::TrainingConfig& training) {
  const auto timeout = std::chrono::milliseconds(
      static_cast<int64_t>(std::llround(training.dist_timeout_s * 1000.0)));
  return std::make_unique<ProcessGroup>(world, timeout);
}

namespace {

// `text` with every occurrence of `from` replaced by `to`.
std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The first line where two texts differ, 1-based.
size_t first_difference(const std::string& a, const std::string& b) {
  size_t line = 1;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (a[i] != b[i]) return line;
    if (a[i] == '\n') ++line;
  }
  return line;
}

}  // namespace

fs::path agree_on_run(ProcessGroup& group, const fs::path& run_dir,
                      const std::string& resolved_yaml, const std::string& rank0_error) {
  if (group.rank() == 0) {
    group.set(
        "run",
        nlohmann::json{{"dir", run_dir.string()}, {"config", resolved_yaml}, {"error", rank0_error}}
            .dump());
    return run_dir;  // the caller reports rank0_error, as it would alone
  }
  const auto run = nlohmann::json::parse(group.get("run"));
  if (const auto error = run.at("error").get<std::string>(); !error.empty()) {
    throw Error(fmt::format("rank {}: rank 0 stopped before training: {}", group.rank(), error));
  }
  const auto dir = run.at("dir").get<std::string>();
  const auto theirs = run.at("config").get<std::string>();
  const auto mine = replace_all(resolved_yaml, run_dir.string(), dir);
  if (mine != theirs) {
    throw UsageError(fmt::format(
        "rank {}: its resolved config differs from rank 0's at line {}; start every rank with "
        "the same configs and overrides",
        group.rank(), first_difference(mine, theirs)));
  }
  return dir;
}

void reduce_evaluation(ProcessGroup& group, Evaluation& ev, const std::string& tag) {
  const int labels = ev.confusion.num_labels();
  std::vector<double> sums{ev.loss_sum, static_cast<double>(ev.sentences)};
  for (int t = 0; t < labels; ++t)
    for (int p = 0; p < labels; ++p) sums.push_back(static_cast<double>(ev.confusion.at(t, p)));
  auto summed = torch::tensor(sums, torch::kFloat64);
  group.all_reduce_now({summed});
  const auto* s = summed.data_ptr<double>();
  ev.loss_sum = s[0];
  ev.sentences = std::llround(s[1]);
  ev.loss = ev.sentences > 0 ? ev.loss_sum / static_cast<double>(ev.sentences) : 0.0;
  ev.confusion = track::ConfusionMatrix(labels);
  for (int t = 0; t < labels; ++t) {
    for (int p = 0; p < labels; ++p) {
      const auto n = std::llround(s[2 + t * labels + p]);
      for (int64_t i = 0; i < n; ++i) ev.confusion.add(t, p);
    }
  }
  ev.metrics = track::compute_metrics(ev.confusion);
  // The misclassified rows (a few hundred at most) go through the store, to rank 0 only.
  const auto key = [&](int r) { return fmt::format("{}/errors/{}", tag, r); };
  if (group.rank() != 0) {
    auto rows = nlohmann::json::array();
    for (const auto& e : ev.errors) rows.push_back({e.row, e.label, e.prediction, e.confidence});
    group.set(key(group.rank()), rows.dump());
    ev.errors.clear();
    return;
  }
  for (int r = 1; r < group.size(); ++r) {
    for (const auto& e : nlohmann::json::parse(group.get(key(r)))) {
      ev.errors.push_back({e.at(0).get<int64_t>(), e.at(1).get<int64_t>(), e.at(2).get<int64_t>(),
                           e.at(3).get<double>()});
    }
  }
  std::sort(ev.errors.begin(), ev.errors.end(),
            [](const auto& a, const auto& b) { return a.row < b.row; });
}

}  // namespace cola::train
