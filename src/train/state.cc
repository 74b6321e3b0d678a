#include "train/state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <torch/serialize.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file.h"

namespace cola::train {
namespace fs = std::filesystem;

namespace {

constexpr char kOptimizerFile[] = "optimizer.pt";
constexpr char kRngFile[] = "rng_state.pt";

nlohmann::json to_json(const TrainerState& s) {
  // JSON has no infinity: an unset best is written as null.
  const bool has_best = std::isfinite(s.best_valid_loss);
  return {{"epoch", s.epoch},
          {"batch", s.batch},
          {"step", s.step},
          {"best_valid_loss", has_best ? nlohmann::json(s.best_valid_loss) : nlohmann::json()},
          {"bad_epochs", s.bad_epochs},
          {"seed", s.seed},
          {"steps_per_epoch", s.steps_per_epoch},
          {"total_steps", s.total_steps}};
}

TrainerState from_json(const nlohmann::json& j) {
  TrainerState s;
  s.epoch = j.at("epoch").get<int64_t>();
  s.batch = j.at("batch").get<int64_t>();
  s.step = j.at("step").get<int64_t>();
  s.best_valid_loss = j.at("best_valid_loss").is_null() ? std::numeric_limits<double>::infinity()
                                                        : j.at("best_valid_loss").get<double>();
  s.bad_epochs = j.at("bad_epochs").get<int64_t>();
  s.seed = j.at("seed").get<uint64_t>();
  s.steps_per_epoch = j.at("steps_per_epoch").get<int64_t>();
  s.total_steps = j.at("total_steps").get<int64_t>();
  return s;
}

}  // namespace

void save_trainer_state(const fs::path& dir, const TrainerState& state,
                        torch::optim::AdamW& optimizer) {
  write_file_atomic(dir / kTrainerStateFile, to_json(state).dump(2) + "\n");
  try {
    torch::save(optimizer, (dir / kOptimizerFile).string());
    auto gen = at::detail::getDefaultCPUGenerator();
    torch::Tensor rng;
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      rng = gen.get_state();
    }
    torch::save(rng, (dir / kRngFile).string());
  } catch (const c10::Error& e) {
    throw Error(
        fmt::format("saving trainer state in {}: {}", dir.string(), e.what_without_backtrace()));
  }
}

TrainerState read_trainer_state(const fs::path& dir) {
  const fs::path state_path = dir / kTrainerStateFile;
  try {
    return from_json(nlohmann::json::parse(read_file(state_path)));
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: {}", state_path.string(), e.what()));
  }
}

TrainerState load_trainer_state(const fs::path& dir, torch::optim::AdamW& optimizer) {
  const TrainerState state = read_trainer_state(dir);
  try {
    torch::load(optimizer, (dir / kOptimizerFile).string());
    torch::Tensor rng;
    torch::load(rng, (dir / kRngFile).string());
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng);
  } catch (const c10::Error& e) {
    throw Error(fmt::format("resuming from {}: {}", dir.string(), e.what_without_backtrace()));
  }
  return state;
}

}  // namespace cola::train
