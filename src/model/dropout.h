#pragma once
// Inverted dropout with a counter-based mask, for training speed.
//
// LibTorch 1.13's CPU dropout draws its Bernoulli mask one element at a time from a locked
// generator (about 8 ns per element here, and slower with 2 threads), which made dropout cost more
// than bert-tiny's attention. This draws one 64-bit seed from LibTorch's default CPU generator per
// call and derives each element's coin from (seed, index) with a hash, in parallel. The result is
// the same distribution as torch::dropout, reproducible from torch::manual_seed, saved and restored
// with the generator state, and independent of the thread count.
#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace cola::model {

/// x * mask / (1 - p) with mask ~ Bernoulli(1 - p) when `training`; x itself otherwise (and when
/// p == 0). p must be in [0, 1]; p == 1 gives zeros. Gradients flow through the multiplication.
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training);

/// The mask `fast_dropout` multiplies by for `seed`: 0 or 1 / (1 - p), of x's shape and dtype.
/// `offset` is the flat index of its first element within a larger tensor whose mask this is a
/// slice of. Exposed for tests of its statistics and of its independence from the thread count.
torch::Tensor dropout_mask(const torch::Tensor& like, double p, uint64_t seed, int64_t offset = 0);

/// For a data-parallel replica that runs rows [first_row, ...) of a batch: while alive,
/// fast_dropout on this thread draws its seeds from `seeds` (a clone of the default generator taken
/// before the step, so it draws what the whole-batch pass draws) and offsets each mask by first_row
/// rows. The replica's masks are then exactly the rows of the whole batch's masks, so training does
/// not depend on how the batch was split. Tensors must have the batch as their first dimension.
class BatchSlice {
 public:
  BatchSlice(at::Generator seeds, int64_t first_row);
  ~BatchSlice();
  BatchSlice(const BatchSlice&) = delete;
  BatchSlice& operator=(const BatchSlice&) = delete;

  at::Generator& seeds() { return seeds_; }
  int64_t first_row() const { return first_row_; }

 private:
  at::Generator seeds_;
  int64_t first_row_;
  BatchSlice* previous_;
};

}  // namespace cola::model
