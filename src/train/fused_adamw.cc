#include <ATen/Parallel.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "train/adamw_kernel.h"
#include "train/optimizer.h"

namespace cola::train {
namespace {

// Elements per parallel task: large enough that scheduling is noise, small enough that bert-tiny's
// 3.9M-element embedding splits over both cores.
constexpr int64_t kGrain = 1 << 15;

void require_dense_float(const torch::Tensor& t, const char* what) {
  if (t.scalar_type() != torch::kFloat || !t.is_contiguous() || !t.device().is_cpu()) {
    throw Error(fmt::format("FusedAdamW: a {} is not a contiguous float32 CPU tensor", what));
  }
}

// A sparse gradient (word embeddings with sparse=true) with duplicate rows summed, stored back so
// the norm and the update coalesce once. A sparse gradient must be [rows, width], by rows.
const torch::Tensor& coalesced_grad(const torch::Tensor& p) {
  const auto& g = p.grad();
  if (g.is_sparse() && !g.is_coalesced()) p.mutable_grad() = g.coalesce();
  if (p.grad().is_sparse()) {
    if (p.dim() != 2 || p.grad().sparse_dim() != 1) {
      throw Error("FusedAdamW: a sparse gradient must be of a 2-D parameter, sparse by rows");
    }
    require_dense_float(p.grad()._values(), "sparse gradient's values");
  } else {
    require_dense_float(p.grad(), "gradient");
  }
  return p.grad();
}

// The whole of `p` updated by AdamW where only some rows have a gradient: every other row still
// decays and moves by its moments, exactly as dense AdamW would with a zero gradient there.
void update_rows(float* p, float* m, float* v, int64_t rows, int64_t width,
                 const torch::Tensor& grad, const AdamWStep& s) {
  const auto index_tensor = grad._indices().select(0, 0).contiguous();
  const auto values = grad._values().contiguous();
  const int64_t* index = index_tensor.data_ptr<int64_t>();
  const int64_t nnz = index_tensor.numel();
  const float* g = values.data_ptr<float>();
  const int64_t grain = std::max<int64_t>(1, kGrain / width);
  at::parallel_for(0, rows, grain, [&](int64_t first, int64_t last) {
    // Indices are sorted after coalesce(): walk those in [first, last) alongside the rows.
    int64_t k = std::lower_bound(index, index + nnz, first) - index;
    for (int64_t row = first; row < last;) {
      const int64_t next = k < nnz ? std::min(index[k], last) : last;
      const int64_t at = row * width;
      adamw_update(p + at, nullptr, m + at, v + at, (next - row) * width, s);  // no gradient
      row = next;
      if (row < last && k < nnz && index[k] == row) {
        const int64_t here = row * width;
        adamw_update(p + here, g + k * width, m + here, v + here, width, s);
        ++row, ++k;
      }
    }
  });
}

}  // namespace

torch::Tensor FusedAdamW::step(LossClosure closure) {
  torch::Tensor loss;
  if (closure) {
    const at::AutoGradMode enable(true);
    loss = closure();
  }
  step_scaled(1.0);
  return loss;
}

void FusedAdamW::step_scaled(double grad_scale) {
  const torch::NoGradGuard no_grad;
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamWOptions&>(group.options());
    if (o.amsgrad()) throw Error("FusedAdamW: amsgrad is not supported");
    const auto [beta1, beta2] = o.betas();
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      require_dense_float(p, "parameter");
      const auto& grad = coalesced_grad(p);
      auto& slot = state()[c10::guts::to_string(p.unsafeGetTensorImpl())];
      if (!slot) {  // as LibTorch initialises it, so optimizer.pt is interchangeable
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
        slot = std::move(fresh);
      }
      auto& st = static_cast<torch::optim::AdamWParamState&>(*slot);
      st.step(st.step() + 1);
      require_dense_float(st.exp_avg(), "first moment");
      require_dense_float(st.exp_avg_sq(), "second moment");
      const auto s =
          AdamWStep::at(st.step(), o.lr(), o.weight_decay(), beta1, beta2, o.eps(), grad_scale);
      float* pp = p.data_ptr<float>();
      float* m = st.exp_avg().data_ptr<float>();
      float* v = st.exp_avg_sq().data_ptr<float>();
      if (grad.is_sparse()) {
        update_rows(pp, m, v, p.size(0), p.size(1), grad, s);
      } else {
        const float* g = grad.data_ptr<float>();
        at::parallel_for(0, p.numel(), kGrain, [&](int64_t begin, int64_t end) {
          adamw_update(pp + begin, g + begin, m + begin, v + begin, end - begin, s);
        });
      }
    }
  }
}

void FusedAdamW::clear_grad() {
  for (auto& group : param_groups()) {
    for (auto& p : group.params()) p.mutable_grad().reset();
  }
}

double grad_norm(const std::vector<torch::Tensor>& params) {
  double total = 0.0;
  for (const auto& p : params) {
    if (!p.grad().defined()) continue;
    const auto& grad = coalesced_grad(p);
    const auto values = grad.is_sparse() ? grad._values().contiguous() : grad;
    const float* data = values.data_ptr<float>();
    const int64_t n = values.numel();
    // Each block's sum lands in its own slot and the slots are added in order, so the norm does
    // not depend on how the blocks were spread over threads.
    std::vector<double> blocks(static_cast<size_t>((n + kGrain - 1) / kGrain), 0.0);
    at::parallel_for(0, static_cast<int64_t>(blocks.size()), 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; ++b) {
        blocks[static_cast<size_t>(b)] =
            sum_of_squares(data + b * kGrain, std::min(n, (b + 1) * kGrain) - b * kGrain);
      }
    });
    for (const double b : blocks) total += b;
  }
  return std::sqrt(total);
}

double clip_factor(double norm, double max_norm) { return std::min(1.0, max_norm / (norm + 1e-6)); }

}  // namespace cola::train
