#include "predict/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "track/metrics.h"

namespace cola::predict {
namespace {

int argmax(std::span<const float> row) {
  return static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
}

std::vector<float> softmax(std::span<const float> row) {
  std::vector<float> p(row.begin(), row.end());
  softmax_rows(p, p.size());
  return p;
}

DataScore score(const std::vector<Prediction>& predictions, std::span<const int64_t> labels,
                int num_labels) {
  track::ConfusionMatrix cm(num_labels);
  for (size_t i = 0; i < predictions.size(); ++i) {
    cm.add(static_cast<int>(labels[i]), argmax(predictions[i].scores));
  }
  const auto m = track::compute_metrics(cm);
  return {m.accuracy, m.mcc};
}

}  // namespace

void LogitComparison::merge(const LogitComparison& other) {
  rows += other.rows;
  same_argmax += other.same_argmax;
  max_abs_logit_diff = std::max(max_abs_logit_diff, other.max_abs_logit_diff);
  max_abs_prob_diff = std::max(max_abs_prob_diff, other.max_abs_prob_diff);
  cosine = std::min(cosine, other.cosine);
}

LogitComparison compare_logits(std::span<const float> reference, std::span<const float> candidate,
                               size_t labels) {
  if (reference.size() != candidate.size() || labels == 0 || reference.size() % labels != 0) {
    throw Error(fmt::format("cannot compare {} logits with {} ({} labels)", reference.size(),
                            candidate.size(), labels));
  }
  LogitComparison c;
  c.rows = static_cast<int64_t>(reference.size() / labels);
  double dot = 0;
  double norm_r = 0;
  double norm_c = 0;
  const auto finite = [](std::span<const float> v) {
    return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
  };
  if (!finite(reference) || !finite(candidate)) {
    // NaN compares false with everything: reported as the worst case, never as agreement.
    c.max_abs_logit_diff = c.max_abs_prob_diff = std::numeric_limits<double>::infinity();
    c.cosine = 0;
    return c;
  }
  for (size_t r = 0; r < reference.size(); r += labels) {
    const auto a = reference.subspan(r, labels);
    const auto b = candidate.subspan(r, labels);
    if (argmax(a) == argmax(b)) ++c.same_argmax;
    const auto pa = softmax(a);
    const auto pb = softmax(b);
    for (size_t i = 0; i < labels; ++i) {
      const auto x = static_cast<double>(a[i]);
      const auto y = static_cast<double>(b[i]);
      c.max_abs_logit_diff = std::max(c.max_abs_logit_diff, std::abs(x - y));
      c.max_abs_prob_diff = std::max(
          c.max_abs_prob_diff, std::abs(static_cast<double>(pa[i]) - static_cast<double>(pb[i])));
      dot += x * y;
      norm_r += x * x;
      norm_c += y * y;
    }
  }
  // Two zero vectors are the same vector; one zero vector has no direction to compare.
  if (norm_r > 0 || norm_c > 0) {
    c.cosine = norm_r > 0 && norm_c > 0 ? dot / std::sqrt(norm_r * norm_c) : 0.0;
  }
  return c;
}

DataComparison compare_on_data(Predictor& reference, Predictor& candidate,
                               std::span<const std::string> sentences,
                               std::span<const int64_t> labels) {
  if (reference.labels() != candidate.labels()) {
    throw Error("the two models have different labels; they cannot be compared");
  }
  if (sentences.size() != labels.size()) {
    throw Error(fmt::format("{} sentences but {} labels", sentences.size(), labels.size()));
  }
  const auto n = reference.labels().size();
  DataComparison out;
  auto predict_all = [&](Predictor& p) {
    PredictOptions o = p.options();
    o.keep_logits = true;
    p.set_options(o);
    return p.predict(sentences);
  };
  const auto ref = predict_all(reference);
  const auto cand = predict_all(candidate);
  out.reference = score(ref, labels, static_cast<int>(n));
  out.candidate = score(cand, labels, static_cast<int>(n));
  std::vector<float> a;  // the logits, rows concatenated
  std::vector<float> b;
  for (size_t i = 0; i < ref.size(); ++i) {
    a.insert(a.end(), ref[i].logits.begin(), ref[i].logits.end());
    b.insert(b.end(), cand[i].logits.begin(), cand[i].logits.end());
  }
  out.logits = compare_logits(a, b, n);
  return out;
}

}  // namespace cola::predict
