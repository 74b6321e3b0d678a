#include "serve/prometheus.h"

#include <fmt/format.h>

#include <algorithm>

namespace cola::serve {
namespace {

// TEI's durations: 35 buckets from 15 us, each 1.5x the last (up to ~22 min).
std::vector<double> duration_buckets() { return exponential_buckets(1.5e-5, 1.5, 35); }

void header(std::string& out, const char* name, const char* type, const char* help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string number(double v) { return fmt::format("{}", v); }

}  // namespace

std::vector<double> exponential_buckets(double start, double factor, int count) {
  std::vector<double> bounds;
  double b = start;
  for (int i = 0; i < count; ++i, b *= factor) bounds.push_back(b);
  return bounds;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void Histogram::observe(double value) {
  const auto at = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) -
                                      bounds_.begin());
  buckets_[at].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double sum = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed)) {
  }
}

void Histogram::render(const std::string& name, std::string& out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name,
                   i < bounds_.size() ? number(bounds_[i]) : "+Inf", cumulative);
  }
  fmt::format_to(std::back_inserter(out), "{}_sum {}\n{}_count {}\n", name,
                 number(sum_.load(std::memory_order_relaxed)), name, cumulative);
}

Metrics::Metrics(std::vector<std::string> routes)
    : routes_(std::move(routes)),
      requests_((routes_.size() + 1) * (kStatuses.size() + 1)),
      request_(duration_buckets()),
      tokenization_(duration_buckets()),
      queue_(duration_buckets()),
      inference_(duration_buckets()),
      batch_size_(exponential_buckets(1, 2, 11)),       // 1 .. 1024 inputs
      batch_tokens_(exponential_buckets(16, 2, 13)) {}  // 16 .. 65536 padded tokens

size_t Metrics::route_index(std::string_view path) const {
  return static_cast<size_t>(std::find(routes_.begin(), routes_.end(), path) - routes_.begin());
}

void Metrics::request(std::string_view path, int status, double seconds) {
  // A status not in kStatuses falls on the row's last column, "other".
  const auto column = static_cast<size_t>(std::find(kStatuses.begin(), kStatuses.end(), status) -
                                          kStatuses.begin());
  requests_[route_index(path) * (kStatuses.size() + 1) + column].fetch_add(
      1, std::memory_order_relaxed);
  request_.observe(seconds);
}

void Metrics::request_phases(double tokenization, double queue, double inference) {
  tokenization_.observe(tokenization);
  queue_.observe(queue);
  inference_.observe(inference);
}

void Metrics::batch(int64_t inputs, int64_t tokens) {
  batch_size_.observe(static_cast<double>(inputs));
  batch_tokens_.observe(static_cast<double>(tokens));
}

void Metrics::set_queue_size(int64_t inputs) { queue_size_.store(inputs); }
void Metrics::set_in_flight(int64_t inputs) { in_flight_.store(inputs); }

uint64_t Metrics::requests(std::string_view route, int status) const {
  const auto it = std::find(kStatuses.begin(), kStatuses.end(), status);
  if (it == kStatuses.end()) return 0;
  const auto column = static_cast<size_t>(it - kStatuses.begin());
  return requests_[route_index(route) * (kStatuses.size() + 1) + column].load();
}

std::string Metrics::render() const {
  std::string out;
  header(out, "cola_requests_total", "counter", "HTTP requests answered, by route and status.");
  for (size_t r = 0; r <= routes_.size(); ++r) {
    const std::string_view route = r < routes_.size() ? routes_[r] : kOtherRoute;
    for (size_t i = 0; i <= kStatuses.size(); ++i) {
      // Routes are the server's own paths: nothing in them needs escaping in a label.
      fmt::format_to(std::back_inserter(out),
                     "cola_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", route,
                     i < kStatuses.size() ? std::to_string(kStatuses[i]) : "other",
                     requests_[r * (kStatuses.size() + 1) + i].load(std::memory_order_relaxed));
    }
  }
  const std::pair<const char*, const Histogram*> durations[] = {
      {"cola_request_duration_seconds", &request_},
      {"cola_request_tokenization_duration_seconds", &tokenization_},
      {"cola_request_queue_duration_seconds", &queue_},
      {"cola_request_inference_duration_seconds", &inference_},
  };
  for (const auto& [name, h] : durations) {
    header(out, name, "histogram", "Seconds per request, by phase (the whole request: duration).");
    h->render(name, out);
  }
  header(out, "cola_batch_size", "histogram", "Inputs per batch the batcher ran.");
  batch_size_.render("cola_batch_size", out);
  header(out, "cola_batch_tokens", "histogram", "Padded tokens per batch the batcher ran.");
  batch_tokens_.render("cola_batch_tokens", out);
  header(out, "cola_queue_size", "gauge", "Inputs waiting for a batch.");
  fmt::format_to(std::back_inserter(out), "cola_queue_size {}\n", queue_size_.load());
  header(out, "cola_requests_in_flight", "gauge", "Inputs accepted and not yet answered.");
  fmt::format_to(std::back_inserter(out), "cola_requests_in_flight {}\n", in_flight_.load());
  return out;
}

}  // namespace cola::serve
