#include "train/run_events.h"

#include <fmt/format.h>

#include "track/confusion_image.h"
#include "train/run_files.h"

namespace cola::train {

RunEvents::RunEvents(const std::filesystem::path& run_dir, const std::string& resolved_yaml,
                     int64_t resumed_step)
    : writer_(run_dir) {
  if (resumed_step > 0) writer_.add_session_start(resumed_step + 1);
  writer_.add_text("config", 0, "```yaml\n" + resolved_yaml + "```\n");
}

void RunEvents::train_step(int64_t step, double loss, double acc, double lr) {
  writer_.add_scalar("train/loss", step, loss);
  writer_.add_scalar("train/acc", step, acc);
  writer_.add_scalar("train/lr", step, lr);
}

void RunEvents::validation(int64_t step, const nlohmann::json& record, const Evaluation& ev,
                           const std::vector<data::Example>& sentences,
                           const std::vector<std::string>& labels) {
  for (const auto& [key, value] : record.items()) {
    if (value.is_number_float()) writer_.add_scalar(key, step, value.get<double>());
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : ev.errors) {
    rows.push_back(
        {sentences[static_cast<size_t>(e.row)].sentence, labels[static_cast<size_t>(e.label)],
         fmt::format("{} ({:.2f})", labels[static_cast<size_t>(e.prediction)], e.confidence)});
  }
  writer_.add_text("valid/misclassified", step,
                   track::markdown_table({"sentence", "label", "prediction"}, rows));
  writer_.add_image("valid/confusion_matrix", step,
                    track::render_confusion_matrix(confusion_counts(ev), labels));
  writer_.flush();
}

}  // namespace cola::train
