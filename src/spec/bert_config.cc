#include "spec/bert_config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace cola::spec {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Typed readers for optional keys: absent (or null) leaves `out` unchanged; a wrong type throws.
class JsonReader {
 public:
  JsonReader(const Json& json, const std::string& source) : json_(json), source_(source) {}

  void read(const char* key, int64_t& out) const {
    if (const Json* v = find(key)) {
      if (!v->is_number_integer()) throw wrong_type(key, "an integer", *v);
      out = v->get<int64_t>();
    }
  }
  void read(const char* key, double& out) const {
    if (const Json* v = find(key)) {
      if (!v->is_number()) throw wrong_type(key, "a number", *v);
      out = v->get<double>();
    }
  }
  void read(const char* key, std::optional<double>& out) const {
    double value = 0;
    if (find(key) != nullptr) {
      read(key, value);
      out = value;
    }
  }
  void read(const char* key, bool& out) const {
    if (const Json* v = find(key)) {
      if (!v->is_boolean()) throw wrong_type(key, "true or false", *v);
      out = v->get<bool>();
    }
  }
  void read(const char* key, std::optional<bool>& out) const {
    bool value = false;
    if (find(key) != nullptr) {
      read(key, value);
      out = value;
    }
  }
  void read(const char* key, std::string& out) const {
    if (const Json* v = find(key)) {
      if (!v->is_string()) throw wrong_type(key, "a string", *v);
      out = v->get<std::string>();
    }
  }
  // HF writes special tokens either as strings or as AddedToken objects {"content": "[UNK]", ...}.
  void read_token(const char* key, std::string& out) const {
    const Json* v = find(key);
    if (v != nullptr && v->is_object() && v->contains("content") && v->at("content").is_string()) {
      out = v->at("content").get<std::string>();
      return;
    }
    read(key, out);
  }
  const Json* find(const char* key) const {
    const auto it = json_.find(key);
    return it == json_.end() || it->is_null() ? nullptr : &*it;
  }
  Error wrong_type(const char* key, const char* expected, const Json& got) const {
    return Error(fmt::format("{}: '{}' must be {}, got {}", source_, key, expected, got.dump()));
  }

 private:
  const Json& json_;
  const std::string& source_;
};

Json parse_object(std::string_view text, const std::string& source) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw Error(source + ": invalid JSON");
  if (!json.is_object()) throw Error(source + ": expected a JSON object, got " + json.type_name());
  return json;
}

// id2label is {"0": "unacceptable", "1": "acceptable"}: keys must be exactly 0..n-1.
std::vector<std::string> read_id2label(const Json& object, const std::string& source) {
  if (!object.is_object()) throw Error(source + ": 'id2label' must be an object");
  std::vector<std::string> labels(object.size());
  std::vector<bool> seen(object.size(), false);
  for (const auto& [key, value] : object.items()) {
    size_t used = 0;
    int64_t id = -1;
    try {
      id = std::stoll(key, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != key.size() || id < 0 || id >= static_cast<int64_t>(labels.size()) ||
        seen[static_cast<size_t>(id)]) {
      throw Error(fmt::format("{}: 'id2label' keys must be the ids 0..{}, got '{}'", source,
                              labels.size() - 1, key));
    }
    if (!value.is_string()) throw Error(source + ": 'id2label' values must be strings");
    labels[static_cast<size_t>(id)] = value.get<std::string>();
    seen[static_cast<size_t>(id)] = true;
  }
  return labels;
}

void require_positive(const char* name, int64_t value) {
  if (value <= 0) throw UsageError(fmt::format("model: {} must be positive, got {}", name, value));
}

void require_probability(const char* name, double value) {
  if (!(value >= 0.0 && value < 1.0)) {
    throw UsageError(fmt::format("model: {} must be in [0, 1), got {}", name, value));
  }
}

}  // namespace

double BertConfig::parameter_count() const {
  const auto h = static_cast<double>(hidden_size);
  const auto i = static_cast<double>(intermediate_size);
  const double embeddings =
      (static_cast<double>(vocab_size) + static_cast<double>(max_position_embeddings) +
       static_cast<double>(type_vocab_size)) *
          h +
      2 * h;
  const double layer = 4 * (h * h + h) + 2 * h * i + i + h + 4 * h;
  const double head = h * h + h + (h + 1) * static_cast<double>(num_labels());
  return embeddings + static_cast<double>(num_hidden_layers) * layer + head;
}

namespace {

// Physical memory in bytes; 0 when the system does not say.
double physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0;
}

}  // namespace

void BertConfig::validate() const {
  require_positive("vocab_size", vocab_size);
  require_positive("hidden_size", hidden_size);
  require_positive("num_hidden_layers", num_hidden_layers);
  require_positive("num_attention_heads", num_attention_heads);
  require_positive("intermediate_size", intermediate_size);
  require_positive("max_position_embeddings", max_position_embeddings);
  require_positive("type_vocab_size", type_vocab_size);
  if (hidden_size % num_attention_heads != 0) {
    throw UsageError(fmt::format(
        "model: hidden_size {} is not divisible by num_attention_heads {} (each head gets "
        "hidden_size / num_attention_heads dimensions)",
        hidden_size, num_attention_heads));
  }
  if (hidden_act != "gelu") {
    throw UsageError("model: hidden_act '" + hidden_act + "' is not supported (supported: gelu)");
  }
  require_probability("hidden_dropout_prob", hidden_dropout_prob);
  require_probability("attention_probs_dropout_prob", attention_probs_dropout_prob);
  require_probability("classifier_dropout", effective_classifier_dropout());
  if (!(layer_norm_eps > 0.0)) {
    throw UsageError(fmt::format("model: layer_norm_eps must be positive, got {}", layer_norm_eps));
  }
  if (!(initializer_range >= 0.0)) {
    throw UsageError(
        fmt::format("model: initializer_range must be >= 0, got {}", initializer_range));
  }
  if (pad_token_id < 0 || pad_token_id >= vocab_size) {
    throw UsageError(fmt::format("model: pad_token_id {} is outside the vocab (size {})",
                                 pad_token_id, vocab_size));
  }
  if (id2label.empty()) throw UsageError("model: at least one label is needed");
  // Checked before LibTorch allocates: a typo in config.json should not end in its allocator's
  // "you tried to allocate 122088000000000 bytes".
  const double bytes = 4 * parameter_count();
  const double memory = physical_memory();
  if (memory > 0 && bytes > memory) {
    throw UsageError(fmt::format(
        "model: {:.3g} parameters (vocab_size {}, hidden_size {}, num_hidden_layers {}, "
        "intermediate_size {}) need {:.1f} GB as float32, more than this machine's {:.1f} GB",
        parameter_count(), vocab_size, hidden_size, num_hidden_layers, intermediate_size,
        bytes / 1e9, memory / 1e9));
  }
  if (std::set<std::string>(id2label.begin(), id2label.end()).size() != id2label.size()) {
    throw UsageError("model: label names must be unique");
  }
}

BertConfig BertConfig::from_json(std::string_view text, const std::string& source) {
  const Json json = parse_object(text, source);
  const JsonReader in(json, source);
  BertConfig c;
  std::string model_type = "bert";
  in.read("model_type", model_type);
  if (model_type != "bert") {
    throw Error(source + ": model_type '" + model_type + "' is not supported (supported: bert)");
  }
  std::string position_embedding_type = "absolute";
  in.read("position_embedding_type", position_embedding_type);
  if (position_embedding_type != "absolute") {
    throw Error(source + ": position_embedding_type '" + position_embedding_type +
                "' is not supported (supported: absolute)");
  }
  in.read("vocab_size", c.vocab_size);
  in.read("hidden_size", c.hidden_size);
  in.read("num_hidden_layers", c.num_hidden_layers);
  in.read("num_attention_heads", c.num_attention_heads);
  in.read("intermediate_size", c.intermediate_size);
  in.read("hidden_act", c.hidden_act);
  in.read("hidden_dropout_prob", c.hidden_dropout_prob);
  in.read("attention_probs_dropout_prob", c.attention_probs_dropout_prob);
  in.read("classifier_dropout", c.classifier_dropout);
  in.read("max_position_embeddings", c.max_position_embeddings);
  in.read("type_vocab_size", c.type_vocab_size);
  in.read("initializer_range", c.initializer_range);
  in.read("layer_norm_eps", c.layer_norm_eps);
  in.read("pad_token_id", c.pad_token_id);
  if (const Json* id2label = in.find("id2label")) {
    c.id2label = read_id2label(*id2label, source);
  } else if (const Json* n = in.find("num_labels"); n != nullptr && n->is_number_integer()) {
    // HF's default names when a config gives only a count.
    c.id2label.clear();
    for (int64_t i = 0; i < n->get<int64_t>(); ++i)
      c.id2label.push_back(fmt::format("LABEL_{}", i));
  }
  with_context(source, [&] { c.validate(); });
  return c;
}

std::string BertConfig::to_json() const {
  OrderedJson j;
  j["architectures"] = {"BertForSequenceClassification"};
  j["model_type"] = "bert";
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = num_hidden_layers;
  j["num_attention_heads"] = num_attention_heads;
  j["intermediate_size"] = intermediate_size;
  j["hidden_act"] = hidden_act;
  j["hidden_dropout_prob"] = hidden_dropout_prob;
  j["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
  j["classifier_dropout"] = classifier_dropout ? OrderedJson(*classifier_dropout) : OrderedJson();
  j["max_position_embeddings"] = max_position_embeddings;
  j["type_vocab_size"] = type_vocab_size;
  j["initializer_range"] = initializer_range;
  j["layer_norm_eps"] = layer_norm_eps;
  j["pad_token_id"] = pad_token_id;
  j["position_embedding_type"] = "absolute";
  OrderedJson ids = OrderedJson::object();
  OrderedJson labels = OrderedJson::object();
  for (size_t i = 0; i < id2label.size(); ++i) {
    ids[std::to_string(i)] = id2label[i];
    labels[id2label[i]] = i;
  }
  j["id2label"] = std::move(ids);
  j["label2id"] = std::move(labels);
  return j.dump(2) + "\n";
}

TokenizerConfig TokenizerConfig::from_json(std::string_view text, const std::string& source) {
  const Json json = parse_object(text, source);
  const JsonReader in(json, source);
  TokenizerConfig c;
  in.read("do_lower_case", c.do_lower_case);
  // HF writes int(1e30) ("no limit") for some tokenizers: it does not fit an int64, so clamp.
  if (const Json* n = in.find("model_max_length"); n != nullptr && n->is_number()) {
    const double v = n->get<double>();
    c.model_max_length = v >= 9.2e18 ? std::numeric_limits<int64_t>::max() : n->get<int64_t>();
  } else {
    in.read("model_max_length", c.model_max_length);
  }
  in.read_token("unk_token", c.unk_token);
  in.read_token("sep_token", c.sep_token);
  in.read_token("pad_token", c.pad_token);
  in.read_token("cls_token", c.cls_token);
  in.read_token("mask_token", c.mask_token);
  in.read("tokenize_chinese_chars", c.tokenize_chinese_chars);
  in.read("strip_accents", c.strip_accents);
  return c;
}

std::string TokenizerConfig::to_json() const {
  OrderedJson j;
  j["tokenizer_class"] = "BertTokenizer";
  j["do_lower_case"] = do_lower_case;
  j["model_max_length"] = model_max_length;
  j["unk_token"] = unk_token;
  j["sep_token"] = sep_token;
  j["pad_token"] = pad_token;
  j["cls_token"] = cls_token;
  j["mask_token"] = mask_token;
  j["tokenize_chinese_chars"] = tokenize_chinese_chars;
  j["strip_accents"] = strip_accents ? OrderedJson(*strip_accents) : OrderedJson();
  return j.dump(2) + "\n";
}

}  // namespace cola::spec
