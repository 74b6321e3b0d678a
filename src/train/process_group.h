#pragma once
// The job's process group: PyTorch's own c10d engine (a TCPStore for rendezvous, ProcessGroupGloo
// for the collectives), so `cola train` joins a torchrun, Slurm or PyTorchJob job as a PyTorch
// worker does. The only file that includes c10d and Gloo headers.
#include <torch/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dist/world.h"

namespace cola::train {

/// A collective in flight; wait() throws Error on a failed or timed-out collective.
class PendingReduce {
 public:
  struct Impl;
  explicit PendingReduce(std::shared_ptr<Impl> impl);
  /// Waits; returns the collective's result (for a sparse all-reduce, the summed tensor; for a
  /// dense one, the input tensors, summed in place).
  std::vector<torch::Tensor> wait();

 private:
  std::shared_ptr<Impl> impl_;
};

class ProcessGroup {
 public:
  /// Rendezvous through the store at world.master_addr:master_port (rank 0 hosts it unless
  /// torchrun's agent does), then connects every pair of ranks over Gloo. `timeout` bounds the
  /// rendezvous, every store wait and every collective. Throws Error naming the address.
  ProcessGroup(const dist::World& world, std::chrono::milliseconds timeout);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }

  /// Starts a sum all-reduce of `tensors` (dense: summed in place; one sparse COO tensor: summed
  /// into the result, as indices and rows).
  PendingReduce all_reduce(std::vector<torch::Tensor> tensors);
  /// Sums `tensors` in place on every rank and waits.
  void all_reduce_now(std::vector<torch::Tensor> tensors) { all_reduce(std::move(tensors)).wait(); }

  /// The store, for small values (the run directory, the config, misclassified rows): set, and a
  /// get that waits for the key up to the time-out.
  void set(const std::string& key, const std::string& value);
  std::string get(const std::string& key);

 private:
  struct State;
  std::unique_ptr<State> state_;
  int rank_ = 0;
  int size_ = 1;
};

/// An Error for a collective or store failure: it says that another rank probably stopped (the
/// launcher tells such errors from the root cause by the phrase "lost contact with").
[[noreturn]] void throw_lost_contact(int rank, const std::string& what, const std::exception& e);

}  // namespace cola::train
