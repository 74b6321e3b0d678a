#pragma once
// The model's hyperparameters, mirroring Hugging Face's BertConfig and its config.json, so that a
// checkpoint directory written here loads in `transformers` and the other way round. Torch-free.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cola::spec {

/// BertConfig for BertForSequenceClassification. Defaults are Hugging Face's (bert-base).
struct BertConfig {
  int64_t vocab_size = 30522;                 // rows of the word embedding table
  int64_t hidden_size = 768;                  // H: must divide by num_attention_heads
  int64_t num_hidden_layers = 12;             // L: encoder layers
  int64_t num_attention_heads = 12;           // A: head size is H / A
  int64_t intermediate_size = 3072;           // feed-forward width
  std::string hidden_act = "gelu";            // only "gelu" (exact, erf-based) is supported
  double hidden_dropout_prob = 0.1;           // dropout on embeddings, attention output, FFN output
  double attention_probs_dropout_prob = 0.1;  // dropout on attention weights
  std::optional<double> classifier_dropout;   // dropout before the classifier; unset = hidden
  int64_t max_position_embeddings = 512;      // longest sequence, in tokens
  int64_t type_vocab_size = 2;                // token-type (segment) rows
  double initializer_range = 0.02;            // std of the normal weight init
  double layer_norm_eps = 1e-12;              // LayerNorm epsilon
  int64_t pad_token_id = 0;                   // its word embedding row is zero and gets no gradient
  std::vector<std::string> id2label = {"LABEL_0", "LABEL_1"};  // label names by class id

  /// Parses config.json text. Unknown keys (HF writes many) are ignored; known keys of the wrong
  /// type and invalid values throw (see validate). `source` names the file in messages.
  static BertConfig from_json(std::string_view text, const std::string& source = "config.json");

  /// config.json text in Hugging Face's layout (model_type, architectures, id2label, label2id...).
  std::string to_json() const;

  /// Throws UsageError for a config the model cannot be built from: a non-positive size, a hidden
  /// size that the heads do not divide, a dropout outside [0, 1), an unsupported activation...
  void validate() const;
  /// The parameter count of BertForSequenceClassification with this config, as a double so that
  /// absurd sizes (a typo in config.json) cannot overflow.
  double parameter_count() const;

  int64_t num_labels() const { return static_cast<int64_t>(id2label.size()); }
  int64_t head_size() const { return hidden_size / num_attention_heads; }
  /// classifier_dropout, or hidden_dropout_prob when unset (as Hugging Face does).
  double effective_classifier_dropout() const {
    return classifier_dropout.value_or(hidden_dropout_prob);
  }

  bool operator==(const BertConfig&) const = default;
};

/// tokenizer_config.json of a BertTokenizer: how the vocab in the checkpoint is to be used.
struct TokenizerConfig {
  bool do_lower_case = true;       // uncased: lowercase (and strip accents) before WordPiece
  int64_t model_max_length = 512;  // longest input in tokens, [CLS] and [SEP] included
  std::string unk_token = "[UNK]";
  std::string sep_token = "[SEP]";
  std::string pad_token = "[PAD]";
  std::string cls_token = "[CLS]";
  std::string mask_token = "[MASK]";
  bool tokenize_chinese_chars = true;  // split CJK characters into single tokens
  std::optional<bool> strip_accents;   // unset = follow do_lower_case

  /// Parses tokenizer_config.json; unknown keys are ignored, special tokens may be given either as
  /// strings or as HF AddedToken objects ({"content": ...}).
  static TokenizerConfig from_json(std::string_view text,
                                   const std::string& source = "tokenizer_config.json");
  /// tokenizer_config.json text, with tokenizer_class "BertTokenizer".
  std::string to_json() const;

  bool operator==(const TokenizerConfig&) const = default;
};

}  // namespace cola::spec
