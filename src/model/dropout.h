#pragma once
// Inverted dropout with a counter-based mask, for training speed.
//
// LibTorch 1.13's CPU dropout draws its Bernoulli mask one element at a time from a locked
// generator (about 8 ns per element here, and slower with 2 threads), which made dropout cost more
// than bert-tiny's attention. This draws one 64-bit seed from LibTorch's default CPU generator per
// call and derives each element's coin from (seed, index) with a hash, in parallel. The result is
// the same distribution as torch::dropout, reproducible from torch::manual_seed, saved and restored
// with the generator state, and independent of the thread count.
#include <torch/types.h>

namespace cola::model {

/// x * mask / (1 - p) with mask ~ Bernoulli(1 - p) when `training`; x itself otherwise (and when
/// p == 0). p must be in [0, 1]; p == 1 gives zeros. Gradients flow through the multiplication.
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training);

/// The mask `fast_dropout` multiplies by for `seed`: 0 or 1 / (1 - p), of x's shape and dtype.
/// Exposed for tests of its statistics and of its independence from the thread count.
torch::Tensor dropout_mask(const torch::Tensor& like, double p, uint64_t seed);

}  // namespace cola::model
