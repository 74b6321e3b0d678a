#pragma once
// Dynamic batching, after text-embeddings-inference's core/src/queue.rs: handler threads tokenize
// their request and queue it as a Job; one batching thread takes jobs first come, first served,
// greedily while the batch stays within max_batch_tokens padded tokens (rows x the longest row,
// as a CPU pads) and max_batch_requests inputs, runs the batch as one call of the predictor
// (which sorts it by length), and hands each job its results. A client batch of N inputs counts
// N and is never split. With max_queue_delay_us the thread waits that long from the oldest job
// for the batch to fill (Triton's max_queue_delay_microseconds); by default it never waits.
// Once the model's cost is known (set_cost, timed at warm-up), a batch runs as the passes of like
// lengths that cost least (predict/batch_plan.h): a CPU pads each pass to its longest row.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/schema.h"
#include "core/clock.h"
#include "predict/predictor.h"
#include "serve/prometheus.h"

namespace cola::serve {

using Clock = core::Clock;

struct MicroBatcherOptions {
  // Padded tokens per batch; a job alone may exceed it.
  int64_t max_batch_tokens = config::kDefaultMaxBatchTokens;
  int64_t max_batch_requests = 0;  // inputs per batch; 0 = no cap
  int64_t max_queue_delay_us = 0;  // wait for a batch to fill; 0 = never
};

/// One request's inputs on their way through the queue.
class Job {
 public:
  explicit Job(std::vector<text::Encoding> encodings);

  /// Waits until the results are in (then results() or error() holds them) and returns true;
  /// or, if the batcher has not taken the job by `deadline`, abandons it (the batcher skips it)
  /// and returns false. A job already taken is waited for past the deadline: its batch is running.
  bool wait(Clock::time_point deadline);

  size_t inputs() const { return encodings_.size(); }
  const std::vector<predict::Prediction>& results() const { return results_; }
  /// Why the batch failed ("" when it did not).
  const std::string& error() const { return error_; }
  double queue_seconds() const { return queue_seconds_; }
  double inference_seconds() const { return inference_seconds_; }

 private:
  friend class MicroBatcher;
  enum class State { kQueued, kTaken, kDone, kAbandoned };

  std::vector<text::Encoding> encodings_;
  int64_t longest_ = 0;  // tokens of the longest input
  Clock::time_point queued_at_;
  std::mutex mutex_;
  std::condition_variable changed_;
  State state_ = State::kQueued;
  std::vector<predict::Prediction> results_;
  std::string error_;
  double queue_seconds_ = 0;
  double inference_seconds_ = 0;
};

class MicroBatcher {
 public:
  /// Starts the batching thread over `predictor`, which must outlive the batcher and run a whole
  /// batch in one call (its batch_size at least the largest batch formed).
  MicroBatcher(const predict::Predictor& predictor, MicroBatcherOptions options, Metrics& metrics);
  ~MicroBatcher();
  MicroBatcher(const MicroBatcher&) = delete;
  MicroBatcher& operator=(const MicroBatcher&) = delete;

  /// From now on, cuts each batch into passes by `cost` (per_token 0: one pass).
  void set_cost(const predict::BatchCost& cost);
  /// Queues a job.
  void submit(std::shared_ptr<Job> job);
  /// Runs every job already queued, then ends the thread. Idempotent.
  void stop();

 private:
  void loop();
  // Takes the next batch off the queue (called with mutex_ held); empty when stopping is done.
  std::vector<std::shared_ptr<Job>> next_batch(std::unique_lock<std::mutex>& lock);
  // How many jobs from the front make the next batch (with mutex_ held).
  size_t fitting() const;
  void run(std::vector<std::shared_ptr<Job>>& batch, const predict::BatchCost& cost);

  const predict::Predictor& predictor_;
  MicroBatcherOptions options_;
  Metrics& metrics_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<std::shared_ptr<Job>> queue_;
  int64_t queued_inputs_ = 0;
  bool stopping_ = false;
  predict::BatchCost cost_;  // under mutex_
  predict::Workspace ws_;    // the batching thread's, reused across batches
  std::vector<predict::Prediction> out_;
  std::thread thread_;
};

}  // namespace cola::serve
