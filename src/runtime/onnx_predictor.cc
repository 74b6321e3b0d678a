#include "runtime/onnx_predictor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "core/error.h"
#include "core/file.h"
#include "predict/labels.h"
#include "runtime/ort_info.h"
#include "spec/names.h"

namespace cola::runtime {
namespace {

namespace fs = std::filesystem;

namespace names = spec::names;  // input names and metadata keys: the export's file contract

std::string describe(const std::vector<TensorInfo>& tensors) {
  std::vector<std::string> parts;
  parts.reserve(tensors.size());
  for (const auto& t : tensors) {
    parts.push_back(fmt::format("{}: {} {}", t.name, to_string(t.type), shape_text(t)));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

// Checks the model takes BERT's int64 [batch, sequence] inputs; returns whether it also takes
// token_type_ids.
bool check_inputs(const Session& s) {
  bool ids = false;
  bool mask = false;
  bool types = false;
  bool other = false;
  for (const auto& in : s.inputs()) {
    const bool ok = in.type == ElementType::kInt64 && in.shape.size() == 2;
    if (in.name == names::kInputIds)
      ids = ok;
    else if (in.name == names::kAttentionMask)
      mask = ok;
    else if (in.name == names::kTokenTypeIds)
      types = ok;
    else
      other = true;
    if (!ok) other = true;
  }
  if (!ids || !mask || other) {
    throw Error(
        fmt::format("{}: the model's inputs are not BERT's: it expects {}; cola feeds input_ids, "
                    "attention_mask and optionally token_type_ids, each int64 [batch, sequence]",
                    s.label(), describe(s.inputs())));
  }
  return types;
}

// The static axes of BERT's inputs (checked to be rank 2). cola feeds them all one shape, so a
// static size on any input pins that axis for all; two different sizes cannot be fed at all.
predict::FixedShape static_axes(const Session& s) {
  predict::FixedShape fixed;
  for (const auto& in : s.inputs()) {
    for (const auto& [axis, size] : {std::pair{0, &fixed.batch}, std::pair{1, &fixed.seq_len}}) {
      const int64_t dim = in.shape[axis];
      if (dim <= 0) continue;  // symbolic or unknown
      if (*size > 0 && *size != dim) {
        throw Error(
            fmt::format("{}: the inputs' static sizes differ ({}); cola feeds them one "
                        "[batch, sequence] shape",
                        s.label(), describe(s.inputs())));
      }
      *size = dim;
    }
  }
  if (fixed.seq_len == 1) {
    throw Error(
        fmt::format("{}: the model takes sequences of 1 token ({}), too short for [CLS] "
                    "and [SEP]",
                    s.label(), describe(s.inputs())));
  }
  return fixed;
}

// The logits: a float [batch, labels] output, its last dim the label count or symbolic; the one
// named "logits" if there is one, else the first. (torch.onnx.export names outputs as its caller
// says: "output" in the seed's convert_model_to_onnx.py.)
std::string find_output(const Session& s, size_t num_labels) {
  const TensorInfo* first = nullptr;
  for (const auto& out : s.outputs()) {
    const bool fits = out.type == ElementType::kFloat && out.shape.size() == 2 &&
                      (out.shape[1] < 0 || std::cmp_equal(out.shape[1], num_labels));
    if (!fits) continue;
    if (out.name == "logits") return out.name;
    if (first == nullptr) first = &out;
  }
  if (first == nullptr) {
    throw Error(fmt::format(
        "{}: no output holds the logits (float [batch, {}], one score per label): it outputs {}",
        s.label(), num_labels, describe(s.outputs())));
  }
  return first->name;
}

std::string lookup(const std::map<std::string, std::string>& meta, const std::string& key) {
  const auto it = meta.find(key);
  return it == meta.end() ? std::string() : it->second;
}

}  // namespace

struct OnnxPredictor::Signature {
  std::string logits;
  bool token_type_ids = false;
  predict::FixedShape fixed;
};

OnnxPredictor::OnnxPredictor(Session session, text::Tokenizer tokenizer,
                             std::vector<std::string> labels,
                             const predict::PredictOptions& options, const Signature& signature)
    : Predictor(std::move(tokenizer), std::move(labels), options, signature.fixed),
      session_(std::move(session)),
      output_(signature.logits),
      token_type_ids_(signature.token_type_ids) {}

std::unique_ptr<OnnxPredictor> OnnxPredictor::open(const fs::path& path,
                                                   const OnnxPredictorOptions& options) {
  return from_session(Session::open(path, options.session), path.string(), options);
}

std::unique_ptr<OnnxPredictor> OnnxPredictor::from_bytes(std::string_view bytes,
                                                         const std::string& label,
                                                         const OnnxPredictorOptions& options) {
  return from_session(Session::from_bytes(bytes, options.session, label), label, options);
}

std::unique_ptr<OnnxPredictor> OnnxPredictor::from_session(Session session,
                                                           const std::string& label,
                                                           const OnnxPredictorOptions& options) {
  const auto meta = session.metadata();
  const std::string missing =
      "; export it with `cola export`, or give --vocab and --labels for a model without cola's "
      "metadata";

  spec::TokenizerConfig tok;
  if (const auto json = lookup(meta, names::kMetaTokenizer); !json.empty()) {
    tok = spec::TokenizerConfig::from_json(json, label + " metadata tokenizer_config");
  } else {
    tok.do_lower_case = options.lowercase;
  }
  std::optional<text::Vocab> vocab;
  if (!options.vocab.empty()) {
    vocab = text::Vocab::load(options.vocab);
  } else if (const auto v = lookup(meta, names::kMetaVocab); !v.empty()) {
    vocab = text::Vocab::parse(v, label + " metadata vocab");
  } else {
    throw Error(label + ": no vocabulary in the model's metadata" + missing);
  }
  std::vector<std::string> labels;
  if (!options.labels.empty()) {
    labels = predict::read_labels_file(options.labels);
  } else if (const auto j = lookup(meta, names::kMetaId2Label); !j.empty()) {
    labels = predict::parse_id2label(j, label + " metadata id2label");
  } else {
    throw Error(label + ": no labels (id2label) in the model's metadata" + missing);
  }
  Signature signature;
  signature.token_type_ids = check_inputs(session);
  signature.fixed = static_axes(session);
  signature.logits = find_output(session, labels.size());
  predict::PredictOptions p = options.predict;
  p.max_length = std::min(p.max_length, tok.model_max_length);
  text::Tokenizer tokenizer(std::move(*vocab), predict::tokenizer_options(tok));
  std::unique_ptr<OnnxPredictor> predictor(
      new OnnxPredictor(std::move(session), std::move(tokenizer), std::move(labels), p, signature));
  // Where the precision is lost (cola predict, bench and serve all open models here), not only
  // where the file was written: a full-range file may come from a VNNI machine.
  predictor->quantization_ = lookup(meta, names::kMetaQuantization);
  if (is_full_range_int8(predictor->quantization_)) warn_full_range_once(label);
  return predictor;
}

void OnnxPredictor::forward(const text::PaddedBatch& batch, std::vector<float>& logits) const {
  const int64_t shape[2] = {batch.batch, batch.seq_len};
  const int64_t out_shape[2] = {batch.batch, static_cast<int64_t>(labels().size())};
  logits.resize(static_cast<size_t>(out_shape[0] * out_shape[1]));
  // BERT's single-segment token types are all 0; a thread-local buffer keeps this allocation-free
  // once it has grown to the largest batch.
  thread_local std::vector<int64_t> zeros;
  if (token_type_ids_ && zeros.size() < batch.input_ids.size()) {
    zeros.assign(batch.input_ids.size(), 0);
  }
  const Int64View inputs[3] = {
      {names::kInputIds, batch.input_ids, shape},
      {names::kAttentionMask, batch.attention_mask, shape},
      {names::kTokenTypeIds,
       std::span<const int64_t>(zeros).first(token_type_ids_ ? batch.input_ids.size() : 0), shape},
  };
  session_.run_into(std::span(inputs, token_type_ids_ ? 3 : 2), output_.c_str(), logits, out_shape);
}

}  // namespace cola::runtime
