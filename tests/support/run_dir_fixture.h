#pragma once
// Run directories laid out as `cola train` writes them (train/run_files.cc, train/trainer.cc), for
// tests of `cola runs` and `cola report` that must not need LibTorch.
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/file.h"

namespace cola::test {

struct FakeEpoch {
  double valid_loss, valid_acc, valid_mcc;
};

/// Writes .hydra/{config,overrides}.yaml, train.log, metrics.jsonl (two step records and one
/// validation record per epoch), misclassified/epoch-<n>.jsonl and, when `status` is not empty,
/// summary.json.
inline void write_run(const std::filesystem::path& dir, const std::vector<std::string>& overrides,
                      const std::vector<FakeEpoch>& epochs, const std::string& status,
                      const std::string& start = "2026-11-27 10:00:00") {
  write_file_atomic(dir / ".hydra/config.yaml",
                    "seed: 42\ndata:\n  labels: [unacceptable, acceptable]\n");
  std::string ov;
  for (const auto& o : overrides) ov += fmt::format("- \"{}\"\n", o);
  write_file_atomic(dir / ".hydra/overrides.yaml", ov.empty() ? "[]\n" : ov);
  write_file_atomic(dir / "train.log", start + ".000 info run directory: x\n" +
                                           start.substr(0, 14) + "01:05.500 info done\n");
  std::string metrics;
  for (size_t i = 0; i < epochs.size(); ++i) {
    const auto& e = epochs[i];
    const int64_t epoch = static_cast<int64_t>(i) + 1;
    metrics += fmt::format("{{\"epoch\":{},\"step\":{},\"train/loss\":{},\"train/acc\":0.5}}\n",
                           epoch, epoch * 10 - 5, 0.7 - 0.01 * static_cast<double>(i));
    metrics += fmt::format(
        "{{\"epoch\":{0},\"step\":{1},\"train/epoch_loss\":0.6,\"train/epoch_acc\":0.6,"
        "\"valid/loss\":{2},\"valid/acc\":{3},\"valid/mcc\":{4},\"valid/f1_macro\":0.5,"
        "\"valid/confusion_matrix\":[[7,3],[2,8]]}}\n",
        epoch, epoch * 10, e.valid_loss, e.valid_acc, e.valid_mcc);
    write_file_atomic(dir / "misclassified" / fmt::format("epoch-{}.jsonl", epoch),
                      "{\"line\":3,\"sentence\":\"The <b>cat</b> & dog.\",\"label\":\"acceptable\","
                      "\"prediction\":\"unacceptable\",\"confidence\":0.75}\n");
  }
  write_file_atomic(dir / "metrics.jsonl", metrics);
  if (!status.empty()) {
    write_file_atomic(dir / "summary.json",
                      fmt::format("{{\"status\":\"{}\",\"train_seconds\":50.0}}\n", status));
  }
}

}  // namespace cola::test
