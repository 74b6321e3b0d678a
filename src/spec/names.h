#pragma once
// The naming contract (DESIGN.md practice 1): every parameter of BertForSequenceClassification
// under its Hugging Face name, in one table, with its shape in terms of the config. The model
// registers its modules with the path segments below; checkpoints use the full names as
// safetensors keys; the ONNX exporter uses them as initializer names.
// tests/spec/bert_config_test.cc checks that the model's named_parameters() equal this table, name
// for name and shape for shape. (llama.cpp keeps its tensor names the same way, in one table in
// src/llama-arch.cpp.) Torch-free: non-torch code may include it.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cola::spec {
struct BertConfig;
}

namespace cola::spec::names {

// Path segments, as passed to register_module / register_parameter (LibTorch joins them with
// '.'). The capitalised "LayerNorm" is Hugging Face's spelling.
inline constexpr char kBert[] = "bert";
inline constexpr char kEmbeddings[] = "embeddings";
inline constexpr char kWordEmbeddings[] = "word_embeddings";
inline constexpr char kPositionEmbeddings[] = "position_embeddings";
inline constexpr char kTokenTypeEmbeddings[] = "token_type_embeddings";
inline constexpr char kLayerNorm[] = "LayerNorm";
inline constexpr char kEncoder[] = "encoder";
inline constexpr char kLayer[] = "layer";  // a ModuleList: its children are "0", "1", ...
inline constexpr char kAttention[] = "attention";
inline constexpr char kSelf[] = "self";
inline constexpr char kQuery[] = "query";
inline constexpr char kKey[] = "key";
inline constexpr char kValue[] = "value";
inline constexpr char kOutput[] = "output";
inline constexpr char kIntermediate[] = "intermediate";
inline constexpr char kDense[] = "dense";
inline constexpr char kPooler[] = "pooler";
inline constexpr char kClassifier[] = "classifier";

/// A size in a shape template, resolved against the BertConfig field of the same name.
enum class Dim {
  kNone,  // no such dimension: the second entry of a 1-d parameter's shape
  kVocabSize,
  kMaxPositions,
  kTypeVocabSize,
  kHiddenSize,
  kIntermediateSize,
  kNumLabels,
};

/// One row of the table: a full name ("{i}" stands for the layer index in per-layer rows) and
/// its shape, [dims[0]] or [dims[0], dims[1]].
struct ParamTemplate {
  std::string_view name;
  std::array<Dim, 2> dims;
};

/// The classifier head: absent from pretrained (not fine-tuned) checkpoints, then initialised.
inline constexpr std::string_view kClassifierWeight = "classifier.weight";
inline constexpr std::string_view kClassifierBias = "classifier.bias";

using D = Dim;  // shorthand that keeps the table's rows on one line each
// clang-format off: one row per line
/// Parameters outside the encoder layers, before them in state_dict order.
inline constexpr std::array<ParamTemplate, 5> kEmbeddingParams = {{
    {"bert.embeddings.word_embeddings.weight", {D::kVocabSize, D::kHiddenSize}},
    {"bert.embeddings.position_embeddings.weight", {D::kMaxPositions, D::kHiddenSize}},
    {"bert.embeddings.token_type_embeddings.weight", {D::kTypeVocabSize, D::kHiddenSize}},
    {"bert.embeddings.LayerNorm.weight", {D::kHiddenSize}},
    {"bert.embeddings.LayerNorm.bias", {D::kHiddenSize}},
}};

/// Parameters of encoder layer {i}. Linear weights are [out, in], as in torch.nn.Linear.
inline constexpr std::array<ParamTemplate, 16> kLayerParams = {{
    {"bert.encoder.layer.{i}.attention.self.query.weight", {D::kHiddenSize, D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.self.query.bias", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.self.key.weight", {D::kHiddenSize, D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.self.key.bias", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.self.value.weight", {D::kHiddenSize, D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.self.value.bias", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.output.dense.weight", {D::kHiddenSize, D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.output.dense.bias", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.output.LayerNorm.weight", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.attention.output.LayerNorm.bias", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.intermediate.dense.weight", {D::kIntermediateSize, D::kHiddenSize}},
    {"bert.encoder.layer.{i}.intermediate.dense.bias", {D::kIntermediateSize}},
    {"bert.encoder.layer.{i}.output.dense.weight", {D::kHiddenSize, D::kIntermediateSize}},
    {"bert.encoder.layer.{i}.output.dense.bias", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.output.LayerNorm.weight", {D::kHiddenSize}},
    {"bert.encoder.layer.{i}.output.LayerNorm.bias", {D::kHiddenSize}},
}};

/// Pooler and classifier, after the encoder layers.
inline constexpr std::array<ParamTemplate, 4> kHeadParams = {{
    {"bert.pooler.dense.weight", {D::kHiddenSize, D::kHiddenSize}},
    {"bert.pooler.dense.bias", {D::kHiddenSize}},
    {kClassifierWeight, {D::kNumLabels, D::kHiddenSize}},
    {kClassifierBias, {D::kNumLabels}},
}};
// clang-format on

/// Buffers that Hugging Face checkpoints may hold and the model recomputes: ignored on load.
inline constexpr std::array<std::string_view, 2> kIgnoredBuffers = {
    "bert.embeddings.position_ids", "bert.embeddings.token_type_ids"};

/// Prefix of BertForPreTraining's heads (masked LM, next sentence): reported and ignored on load.
inline constexpr std::string_view kPretrainingHeadPrefix = "cls.";

// Names of intermediate values (DESIGN.md practice 3), for per-layer outputs and ONNX graphs.
inline constexpr std::string_view kEmbeddingsOutput = "bert.embeddings.output";
inline constexpr std::string_view kLayerAttentionOutput = "bert.encoder.layer.{i}.attention.output";
inline constexpr std::string_view kLayerOutput = "bert.encoder.layer.{i}.output";
inline constexpr std::string_view kPoolerOutput = "bert.pooler.output";
inline constexpr std::string_view kLogits = "logits";

// The exported file's contract with its readers (export writes it, runtime reads it): input names
// and metadata_props keys. Keep them stable.
inline constexpr char kInputIds[] = "input_ids";
inline constexpr char kAttentionMask[] = "attention_mask";
inline constexpr char kTokenTypeIds[] = "token_type_ids";
inline constexpr char kMetaId2Label[] = "id2label";           // {"0": "unacceptable", ...}
inline constexpr char kMetaTokenizer[] = "tokenizer_config";  // tokenizer_config.json text
inline constexpr char kMetaVocab[] = "vocab";                 // vocab.txt, one token a line
inline constexpr char kMetaQuantization[] = "quantization";   // int8 settings (graph/quantize.h)

/// A parameter's full name and shape for one config.
struct ParamSpec {
  std::string name;
  std::vector<int64_t> shape;
};

/// `name_template` with "{i}" replaced by `layer` (names without "{i}" come back unchanged).
std::string layer_name(std::string_view name_template, int64_t layer);

/// Every parameter of the model for `config`, in Hugging Face state_dict order.
std::vector<ParamSpec> parameter_specs(const BertConfig& config);

/// True for the classifier head's parameters.
bool is_classifier_head(std::string_view name);

/// True for names a checkpoint may hold that loading ignores silently (kIgnoredBuffers).
bool is_ignored_buffer(std::string_view name);

}  // namespace cola::spec::names
