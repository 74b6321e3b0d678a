#pragma once
// Random-token inputs for numeric parity checks: the shapes every export is validated on, and an
// ONNX-against-ONNX comparison on them (`cola quantize` checks int8 against the fp32 file).
#include <cstdint>
#include <string>
#include <vector>

#include "predict/compare.h"
#include "runtime/ort_session.h"

namespace cola::runtime {

/// One input shape of the parity check.
struct ParityCase {
  int64_t batch = 0;
  int64_t sequence = 0;
  std::vector<int64_t> lengths;  // real tokens per row (<= sequence); the rest is padding
  std::string note;
};

/// (1,1), (1,7), (3, mixed lengths with padding), (8,64) and (2, max_position_embeddings); a
/// sequence longer than max_position_embeddings is cut to it.
std::vector<ParityCase> parity_cases(int64_t max_position_embeddings);

/// What the vocabulary allows: ids in [1, vocab_size) for real tokens (0 is usually [PAD]).
struct TokenSpace {
  int64_t vocab_size = 0;
  int64_t type_vocab_size = 1;
  int64_t pad_token_id = 0;
};

/// Row-major [batch, sequence] inputs for `c`: random real tokens, then padding (mask 0).
struct ParityInputs {
  std::vector<int64_t> ids, mask, types;
};
ParityInputs make_parity_inputs(const ParityCase& c, const TokenSpace& tokens, uint64_t seed);

/// Runs each case through both sessions (logits output `output`; token_type_ids fed when
/// `token_type_ids`) and compares their logits, one comparison per case.
std::vector<predict::LogitComparison> compare_sessions(
    const Session& reference, const Session& candidate, const std::vector<ParityCase>& cases,
    const TokenSpace& tokens, const std::string& output, bool token_type_ids);

}  // namespace cola::runtime
