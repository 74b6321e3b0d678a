#include "predict/stream.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/clock.h"
#include "core/error.h"
#include "predict/output.h"

namespace cola::predict {
namespace {

size_t argmax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

void compare(const std::vector<Prediction>& a, const std::vector<Prediction>& b, Comparison& c) {
  for (size_t i = 0; i < a.size(); ++i) {
    ++c.sentences;
    if (argmax(a[i].scores) == argmax(b[i].scores)) ++c.same_label;
    for (size_t j = 0; j < a[i].scores.size(); ++j) {
      c.max_abs_diff =
          std::max(c.max_abs_diff, static_cast<double>(std::abs(a[i].scores[j] - b[i].scores[j])));
    }
  }
}

}  // namespace

double Comparison::agreement() const {
  return sentences == 0 ? 1.0 : static_cast<double>(same_label) / static_cast<double>(sentences);
}

StreamResult predict_stream(const SentenceSource& source, const Predictor& predictor,
                            std::FILE* out, const StreamOptions& options,
                            const Predictor* reference) {
  if (options.chunk < 1) throw UsageError(fmt::format("chunk must be >= 1, got {}", options.chunk));
  if (reference != nullptr && reference->labels() != predictor.labels()) {
    throw Error(fmt::format("the two models have different labels: [{}] and [{}]",
                            fmt::join(predictor.labels(), ", "),
                            fmt::join(reference->labels(), ", ")));
  }
  StreamResult result;
  std::vector<std::string> chunk(static_cast<size_t>(options.chunk));
  Workspace ws;
  Workspace ref_ws;
  std::vector<Prediction> predictions;
  std::vector<Prediction> ref_predictions;
  std::string text;
  for (bool more = true; more;) {
    size_t n = 0;
    while (n < chunk.size() && (n == 0 || !options.ready || options.ready())) {
      if (!source(chunk[n])) {
        more = false;
        break;
      }
      ++n;
    }
    if (n == 0) break;
    const std::span<const std::string> texts(chunk.data(), n);
    const auto start = std::chrono::steady_clock::now();
    predictor.predict(texts, ws, predictions);
    const double seconds = core::seconds_since(start);
    result.call_seconds.push_back(seconds);
    if (options.on_call) options.on_call(static_cast<int64_t>(n), seconds);
    if (reference != nullptr) {
      reference->predict(texts, ref_ws, ref_predictions);
      compare(predictions, ref_predictions, result.comparison);
    }
    text.clear();
    for (size_t i = 0; i < n; ++i) {
      append_json_line(text, texts[i], predictor.labels(), predictions[i].scores);
      if (predictions[i].truncated) ++result.truncated;
    }
    if (std::fwrite(text.data(), 1, text.size(), out) != text.size() || std::fflush(out) != 0) {
      throw Error("writing predictions: output closed or full");
    }
    result.sentences += static_cast<int64_t>(n);
  }
  result.batch_seconds = std::move(ws.batch_seconds);
  result.tokenize_seconds = ws.tokenize_seconds;
  return result;
}

}  // namespace cola::predict
