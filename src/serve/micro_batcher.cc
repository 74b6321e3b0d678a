#include "serve/micro_batcher.h"

#include <algorithm>

#include "core/log.h"

namespace cola::serve {
namespace {

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Job::Job(std::vector<text::Encoding> encodings) : encodings_(std::move(encodings)) {
  for (const auto& e : encodings_) {
    longest_ = std::max(longest_, static_cast<int64_t>(e.ids.size()));
  }
}

bool Job::wait(Clock::time_point deadline) {
  // One wake-up per job, when its results are in: being taken needs none (futex wakes were 7% of
  // the server's profile under load).
  std::unique_lock lock(mutex_);
  if (!changed_.wait_until(lock, deadline, [&] { return state_ == State::kDone; })) {
    if (state_ == State::kQueued) {
      state_ = State::kAbandoned;
      return false;
    }
    changed_.wait(lock, [&] { return state_ == State::kDone; });
  }
  return true;
}

MicroBatcher::MicroBatcher(const predict::Predictor& predictor, MicroBatcherOptions options,
                           Metrics& metrics)
    : predictor_(predictor), options_(options), metrics_(metrics), thread_([this] { loop(); }) {}

MicroBatcher::~MicroBatcher() { stop(); }

void MicroBatcher::submit(std::shared_ptr<Job> job) {
  job->queued_at_ = Clock::now();
  {
    std::lock_guard lock(mutex_);
    queued_inputs_ += static_cast<int64_t>(job->inputs());
    queue_.push_back(std::move(job));
    metrics_.set_queue_size(queued_inputs_);
  }
  arrived_.notify_one();
}

void MicroBatcher::set_cost(const predict::BatchCost& cost) {
  std::lock_guard lock(mutex_);
  cost_ = cost;
}

void MicroBatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  arrived_.notify_one();
  if (thread_.joinable()) thread_.join();
}

size_t MicroBatcher::fitting() const {
  int64_t inputs = 0;
  int64_t longest = 0;
  size_t take = 0;
  for (const auto& job : queue_) {
    inputs += static_cast<int64_t>(job->inputs());
    longest = std::max(longest, job->longest_);
    const bool fits = inputs * longest <= options_.max_batch_tokens &&
                      (options_.max_batch_requests == 0 || inputs <= options_.max_batch_requests);
    if (!fits && take > 0) break;  // the first job always goes, even alone over the budget
    ++take;
    if (!fits) break;
  }
  return take;
}

std::vector<std::shared_ptr<Job>> MicroBatcher::next_batch(std::unique_lock<std::mutex>& lock) {
  arrived_.wait(lock, [&] { return !queue_.empty() || stopping_; });
  if (queue_.empty()) return {};
  if (options_.max_queue_delay_us > 0 && !stopping_) {
    // Wait from the oldest job for more to come, until the budget would be passed.
    const auto deadline =
        queue_.front()->queued_at_ + std::chrono::microseconds(options_.max_queue_delay_us);
    arrived_.wait_until(lock, deadline, [&] { return stopping_ || fitting() < queue_.size(); });
  }
  const size_t take = fitting();
  std::vector<std::shared_ptr<Job>> batch;
  batch.reserve(take);
  for (size_t i = 0; i < take; ++i) {
    queued_inputs_ -= static_cast<int64_t>(queue_.front()->inputs());
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  metrics_.set_queue_size(queued_inputs_);
  return batch;
}

void MicroBatcher::loop() {
  for (;;) {
    std::vector<std::shared_ptr<Job>> batch;
    predict::BatchCost cost;
    {
      std::unique_lock lock(mutex_);
      if (stopping_ && queue_.empty()) return;
      batch = next_batch(lock);
      cost = cost_;
    }
    if (!batch.empty()) run(batch, cost);
  }
}

void MicroBatcher::run(std::vector<std::shared_ptr<Job>>& batch, const predict::BatchCost& cost) {
  const auto now = Clock::now();
  // Jobs whose handler gave up waiting are dropped before any work is spent on them.
  std::erase_if(batch, [&](const std::shared_ptr<Job>& job) {
    std::lock_guard lock(job->mutex_);
    if (job->state_ == Job::State::kAbandoned) return true;
    job->state_ = Job::State::kTaken;
    job->queue_seconds_ = seconds(now - job->queued_at_);
    return false;
  });
  if (batch.empty()) return;

  size_t n = 0;
  int64_t longest = 0;
  for (const auto& job : batch) {
    n += job->inputs();
    longest = std::max(longest, job->longest_);
  }
  if (ws_.encodings.size() < n) ws_.encodings.resize(n);
  size_t at = 0;
  for (const auto& job : batch) {
    for (auto& e : job->encodings_) std::swap(ws_.encodings[at++], e);
  }
  ws_.batch_seconds.clear();
  std::string error;
  try {
    predictor_.predict_tokenized(n, ws_, out_, cost);
  } catch (const std::exception& e) {
    error = e.what();
    log::error("batch of {} inputs failed: {}", n, error);
  }
  double inference = 0;
  for (const double s : ws_.batch_seconds) inference += s;
  metrics_.batch(static_cast<int64_t>(n), static_cast<int64_t>(n) * longest);

  at = 0;
  for (const auto& job : batch) {
    {
      std::lock_guard lock(job->mutex_);
      if (error.empty()) {
        job->results_.assign(
            std::make_move_iterator(out_.begin() + static_cast<ptrdiff_t>(at)),
            std::make_move_iterator(out_.begin() + static_cast<ptrdiff_t>(at + job->inputs())));
      }
      job->error_ = error;
      job->inference_seconds_ = inference;
      job->state_ = Job::State::kDone;
    }
    at += job->inputs();
    job->changed_.notify_one();  // its one handler
  }
}

}  // namespace cola::serve
