#pragma once
// predict::Predictor over ONNX Runtime. The tokenizer and labels come from the model's metadata
// (what `cola export` writes), or from --vocab/--labels for a BERT-style model without it (e.g.
// from torch.onnx). The input names and types are read from the model.
#include <filesystem>
#include <memory>
#include <string>

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
  /// tokenizer or labels and none were given, or when its inputs are not BERT's (the message
  /// lists what the model expects).
  static std::unique_ptr<OnnxPredictor> open(const std::filesystem::path& path,
                                             const OnnxPredictorOptions& options);

  void forward(const text::PaddedBatch& batch, std::vector<float>& logits) const override;
  std::string_view backend() const override { return "onnx"; }
  const Session& session() const { return session_; }

 private:
  OnnxPredictor(Session session, text::Tokenizer tokenizer, std::vector<std::string> labels,
                const predict::PredictOptions& options);

  Session session_;
  std::string output_;           // the logits output
  bool token_type_ids_ = false;  // the model also takes token_type_ids (fed zeros)
};

}  // namespace cola::runtime
