#pragma once
// Which stored tensor goes into which parameter of BertForSequenceClassification, decided and
// checked in full before anything is copied, and torch-free, so that `cola convert` and the
// LibTorch loader share one reading of a checkpoint's names.
//
// Names are mapped onto Hugging Face's (spec/names.h) the way transformers' loader and the
// PyTorch workflow's files need:
//   a module prefix, found as whatever comes before "bert.embeddings.word_embeddings.weight" (a
//     Lightning checkpoint's "bert." in "bert.bert.embeddings..."); tensors outside it are not
//     the model's and are dropped with one note;
//   a bare BertModel ("embeddings.*", "encoder.*", "pooler.*", under any prefix): "bert." added;
//   TensorFlow-converted LayerNorm "gamma"/"beta": read as "weight"/"bias";
//   buffers the model recomputes (position_ids, token_type_ids): dropped silently;
//   BertForPreTraining's heads ("cls.*"): dropped with a note.
#include <string>
#include <vector>

#include "checkpoint/stored_tensor.h"
#include "spec/bert_config.h"
#include "spec/names.h"

namespace cola::checkpoint {

struct PlanOptions {
  /// false: a checkpoint without classifier.weight/bias is accepted (a pretrained encoder that
  /// training gives a fresh head); true: that is an error (export and prediction need the head).
  bool allow_missing_head = false;
  /// false: a NaN or infinity in any tensor fails the load, naming the tensor and the index
  /// (a NaN compares false everywhere: it would pass validation and print "score": nan); true:
  /// loaded as it is (--allow-non-finite).
  bool allow_non_finite = false;
};

struct WeightPlan {
  struct Copy {
    spec::names::ParamSpec param;  // the model's parameter (name, shape)
    const StoredTensor* tensor;    // what fills it (points into the Weights planned from)
  };
  std::vector<Copy> copies;        // in parameter order
  bool head_missing = false;       // classifier.* absent (only with allow_missing_head)
  std::string module_prefix;       // stripped from every name ("bert." for Lightning), or ""
  std::vector<std::string> notes;  // what was adapted, one line each (callers log them)
};

/// Plans loading `weights` into the model for `config`. Throws Error naming the tensors: a
/// tensor of the model's missing, one under the module prefix that the model does not have
/// (e.g. a layer past num_hidden_layers), a shape differing from the config's, a dtype that is
/// not floating, a name that appears twice under two spellings.
WeightPlan plan_weights(const spec::BertConfig& config, const Weights& weights,
                        const PlanOptions& options = {});

/// The module prefix and layout of a checkpoint's names, as plan_weights reads them; exposed so
/// that loaders can read the label count off classifier.weight before a config is complete.
/// Returns the stored tensor that maps to the HF name `hf_name`, or nullptr.
const StoredTensor* find_mapped(const Weights& weights, std::string_view hf_name);

}  // namespace cola::checkpoint
