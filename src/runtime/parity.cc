#include "runtime/parity.h"

#include <algorithm>
#include <random>

#include "spec/names.h"

namespace cola::runtime {

std::vector<ParityCase> parity_cases(int64_t max_position_embeddings) {
  const auto cap = [&](int64_t s) { return std::min(s, max_position_embeddings); };
  const int64_t mixed = cap(9);
  return {
      {1, 1, {1}, "[CLS] alone"},
      {1, cap(7), {cap(7)}, ""},
      {3, mixed, {mixed, std::max<int64_t>(1, mixed - 3), 1}, "mixed lengths, padded"},
      {8, cap(64), std::vector<int64_t>(8, cap(64)), ""},
      {2,
       max_position_embeddings,
       {max_position_embeddings, max_position_embeddings},
       "max_position_embeddings"},
  };
}

ParityInputs make_parity_inputs(const ParityCase& c, const TokenSpace& tokens, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> token(1, tokens.vocab_size - 1);
  std::uniform_int_distribution<int64_t> type(0, tokens.type_vocab_size - 1);
  ParityInputs in;
  for (int64_t row = 0; row < c.batch; ++row) {
    for (int64_t i = 0; i < c.sequence; ++i) {
      const bool real = i < c.lengths[static_cast<size_t>(row)];
      in.ids.push_back(real ? token(rng) : tokens.pad_token_id);
      in.mask.push_back(real ? 1 : 0);
      in.types.push_back(real ? type(rng) : 0);
    }
  }
  return in;
}

std::vector<predict::LogitComparison> compare_sessions(
    const Session& reference, const Session& candidate, const std::vector<ParityCase>& cases,
    const TokenSpace& tokens, const std::string& output, bool token_type_ids) {
  namespace names = spec::names;
  std::vector<predict::LogitComparison> out;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    auto in = make_parity_inputs(c, tokens, /*seed=*/1000 + i);
    std::vector<Int64Input> inputs = {
        {std::string(names::kInputIds), in.ids, {c.batch, c.sequence}},
        {std::string(names::kAttentionMask), in.mask, {c.batch, c.sequence}}};
    if (token_type_ids) {
      inputs.push_back({std::string(names::kTokenTypeIds), in.types, {c.batch, c.sequence}});
    }
    const auto a = reference.run(inputs, {output});
    const auto b = candidate.run(inputs, {output});
    const size_t labels = a.at(0).data.size() / static_cast<size_t>(c.batch);
    out.push_back(predict::compare_logits(a.at(0).data, b.at(0).data, labels));
  }
  return out;
}

}  // namespace cola::runtime
