#pragma once
// The server's Prometheus metrics (text exposition format 0.0.4), every series present at zero
// from the start so that dashboards and alerts see them before the first request. Names follow
// Prometheus' conventions (_total counters, _seconds histograms); what they count follows
// text-embeddings-inference's router/src/prometheus.rs. Thread-safe: handlers and the batching
// thread record concurrently, without a lock.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cola::serve {

/// A cumulative histogram over fixed upper bounds (and +Inf).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  /// Counts one observation.
  void observe(double value);
  /// Appends the _bucket, _sum and _count lines of `name`.
  void render(const std::string& name, std::string& out) const;
  /// Observations so far.
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  /// Observations in the bucket whose upper bound is bounds()[i] (not cumulative).
  uint64_t bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<uint64_t>> buckets_;  // one per bound, plus +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

/// `count` bounds from `start`, each `factor` times the last.
std::vector<double> exponential_buckets(double start, double factor, int count);

/// The HTTP statuses the server answers with, each a value of cola_requests_total's `status`.
inline constexpr std::array<int, 13> kStatuses = {200, 204, 400, 401, 404, 405, 413,
                                                  415, 422, 429, 500, 503, 424};

/// The `route` of a request to a path that is none of the routes.
inline constexpr std::string_view kOtherRoute = "other";

class Metrics {
 public:
  /// `routes`: the values of cola_requests_total's `route` label, the paths the server answers.
  /// Any other path counts as kOtherRoute, so that a scan of random paths adds no series.
  explicit Metrics(std::vector<std::string> routes = {});

  /// One finished request to `path` with its status and total time.
  void request(std::string_view path, int status, double seconds);
  /// Where a predict request's time went (seconds).
  void request_phases(double tokenization, double queue, double inference);
  /// One batch the batching thread ran: its inputs and padded tokens.
  void batch(int64_t inputs, int64_t tokens);
  /// Inputs waiting in the queue now.
  void set_queue_size(int64_t inputs);
  /// Inputs accepted and not yet answered now.
  void set_in_flight(int64_t inputs);

  /// The whole exposition text.
  std::string render() const;

  const Histogram& batch_size() const { return batch_size_; }
  /// Requests to `route` (a path of the routes, or kOtherRoute) answered with `status` so far (0
  /// for a status not in kStatuses).
  uint64_t requests(std::string_view route, int status) const;

 private:
  // The row of `path` in requests_: its route's index, or routes_.size() for kOtherRoute.
  size_t route_index(std::string_view path) const;

  std::vector<std::string> routes_;
  // Per route (and kOtherRoute), per status (and "other"): routes_ x kStatuses, row-major.
  std::vector<std::atomic<uint64_t>> requests_;
  Histogram request_, tokenization_, queue_, inference_;
  Histogram batch_size_, batch_tokens_;
  std::atomic<int64_t> queue_size_{0};
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace cola::serve
