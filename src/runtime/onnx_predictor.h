#pragma once
// predict::Predictor over ONNX Runtime. The tokenizer and labels come from the model's metadata
// (what `cola export` writes), or from --vocab/--labels for a BERT-style model without it (e.g.
// from torch.onnx). The input names and types are read from the model, and so are its static
// axes: a file exported without dynamic_axes (the seed's [batch_size, 128]) gets every row padded
// to its sequence length and batches of its batch size (predict::FixedShape), and its logits are
// found by shape whatever the output is called.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "predict/predictor.h"
#include "runtime/ort_session.h"

namespace cola::runtime {

struct OnnxPredictorOptions {
  SessionOptions session;           // threads, optimisation, profiling...
  predict::PredictOptions predict;  // batching; max_length is capped by the model's tokenizer
  std::filesystem::path vocab;      // vocab.txt, overrides the metadata; required without it
  std::filesystem::path labels;     // labels file (see predict::read_labels_file), likewise
  bool lowercase = true;            // for --vocab without tokenizer metadata: uncased BERT
};

class OnnxPredictor final : public predict::Predictor {
 public:
  /// Opens `path`. Error naming the file when it is missing or corrupt, when it lacks the
  /// tokenizer or labels and none were given, when its inputs are not BERT's or no output has the
  /// logits' shape (the message lists what the model has).
  static std::unique_ptr<OnnxPredictor> open(const std::filesystem::path& path,
                                             const OnnxPredictorOptions& options);
  /// open() on a model in memory (one not yet written); `label` names it in messages.
  static std::unique_ptr<OnnxPredictor> from_bytes(std::string_view bytes, const std::string& label,
                                                   const OnnxPredictorOptions& options);

  void forward(const text::PaddedBatch& batch, std::vector<float>& logits) const override;
  std::string_view backend() const override { return "onnx"; }
  const Session& session() const { return session_; }
  /// The output read as the logits: the first float [batch, labels] output, "logits" if any.
  const std::string& logits_output() const { return output_; }
  /// The model's `quantization` metadata (graph/quantize.h's JSON); "" for an fp32 model.
  const std::string& quantization() const { return quantization_; }

 private:
  struct Signature;  // what open() reads from the declared inputs and outputs
  static std::unique_ptr<OnnxPredictor> from_session(Session session, const std::string& label,
                                                     const OnnxPredictorOptions& options);
  OnnxPredictor(Session session, text::Tokenizer tokenizer, std::vector<std::string> labels,
                const predict::PredictOptions& options, const Signature& signature);

  Session session_;
  std::string output_;           // the logits output
  bool token_type_ids_ = false;  // the model also takes token_type_ids (fed zeros)
  std::string quantization_;
};

}  // namespace cola::runtime
