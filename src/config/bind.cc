#include "config/bind.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <set>

#include "core/error.h"
#include "core/strings.h"

namespace cola::config {
namespace {

// Reads the fields of one map, remembering which keys were consumed so that finish() can reject
// the rest.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path) : node_(node), path_(std::move(path)) {
    if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
      throw UsageError(fmt::format("{}: expected a map", path_));
    }
  }

  template <class T>
  MapReader& field(const char* key, T& out) {
    known_.push_back(key);
    if (!node_.IsMap()) return *this;
    const YAML::Node value = node_[key];
    if (value.IsDefined()) read(value, join_key(key), out);
    return *this;
  }

  // A string field that must be one of `valid`, so a typo fails at load, naming the key.
  MapReader& choice(const char* key, std::string& out, std::initializer_list<const char*> valid) {
    field(key, out);
    if (std::find(valid.begin(), valid.end(), out) == valid.end()) {
      throw UsageError(fmt::format("{}: unknown value '{}' (valid: {})", join_key(key), out,
                                   fmt::join(valid, ", ")));
    }
    return *this;
  }

  // An integer field with a lower bound, so an impossible value fails at load, naming the key.
  template <class Int>
  MapReader& at_least(const char* key, Int& out, Int min, const char* why) {
    field(key, out);
    if (out < min) {
      throw UsageError(fmt::format("{}: {} is not allowed ({})", join_key(key), out, why));
    }
    return *this;
  }

  // A number that must be above zero (a time-out, a rate); NaN is refused too.
  MapReader& positive(const char* key, double& out, const char* why) {
    field(key, out);
    if (!(out > 0)) {
      throw UsageError(fmt::format("{}: {} is not allowed ({})", join_key(key), out, why));
    }
    return *this;
  }

  template <class F>
  MapReader& section(const char* key, F&& bind) {
    known_.push_back(key);
    MapReader child(node_.IsMap() ? node_[key] : YAML::Node(), join_key(key));
    bind(child);
    child.finish();
    return *this;
  }

  const MapReader& finish() const {
    if (!node_.IsMap()) return *this;
    for (const auto& kv : node_) {
      const auto& key = kv.first.Scalar();
      if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
      std::vector<std::string> full;
      for (const auto& k : known_) full.push_back(join_key(k));
      const auto close = closest_match(join_key(key), full);
      throw UsageError(
          fmt::format("unknown config key '{}'{}", join_key(key),
                      close ? fmt::format("; did you mean '{}'?", *close)
                            : fmt::format(" (valid keys here: {})", join(known_, ", "))));
    }
    return *this;
  }

 private:
  std::string join_key(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  [[noreturn]] static void wrong_type(const std::string& path, const char* expected,
                                      const YAML::Node& v) {
    const std::string got = v.IsScalar()     ? "'" + v.Scalar() + "'"
                            : v.IsSequence() ? "a list"
                                             : "a map";
    throw UsageError(fmt::format("{}: expected {}, got {}", path, expected, got));
  }

  template <class Int>
  static void read_integer(const YAML::Node& v, const std::string& path, Int& out,
                           const char* expected) {
    Int value{};
    if (!v.IsScalar() || !YAML::convert<Int>::decode(v, value)) wrong_type(path, expected, v);
    out = value;
  }

  static void read(const YAML::Node& v, const std::string& path, int& out) {
    read_integer(v, path, out, "an integer");
  }
  static void read(const YAML::Node& v, const std::string& path, int64_t& out) {
    read_integer(v, path, out, "an integer");
  }
  static void read(const YAML::Node& v, const std::string& path, uint64_t& out) {
    if (v.IsScalar() && v.Scalar().starts_with('-')) wrong_type(path, "a non-negative integer", v);
    read_integer(v, path, out, "a non-negative integer");
  }
  static void read(const YAML::Node& v, const std::string& path, double& out) {
    if (!v.IsScalar() || !YAML::convert<double>::decode(v, out)) wrong_type(path, "a number", v);
  }
  static void read(const YAML::Node& v, const std::string& path, bool& out) {
    if (!v.IsScalar() || !YAML::convert<bool>::decode(v, out)) wrong_type(path, "true or false", v);
  }
  static void read(const YAML::Node& v, const std::string& path, std::string& out) {
    if (v.IsNull()) {
      out.clear();
    } else if (v.IsScalar()) {
      out = v.Scalar();
    } else {
      wrong_type(path, "a string", v);
    }
  }
  // "0.25" / "1.0" is a fraction, "10" a count, as Lightning tells float from int.
  static void read(const YAML::Node& v, const std::string& path, BatchLimit& out) {
    constexpr const char* kExpected = "a fraction in (0, 1] or a batch count";
    if (v.IsScalar() && v.Scalar().find_first_of(".eE") != std::string::npos) {
      double f = 0;
      if (!YAML::convert<double>::decode(v, f) || !(f > 0 && f <= 1))
        wrong_type(path, kExpected, v);
      out = {true, f};
    } else {
      int64_t n = 0;
      read_integer(v, path, n, kExpected);
      if (n < 0) wrong_type(path, kExpected, v);
      out = {false, static_cast<double>(n)};
    }
  }
  static void read(const YAML::Node& v, const std::string& path, std::vector<std::string>& out) {
    if (!v.IsSequence()) wrong_type(path, "a list of strings", v);
    out.clear();
    for (size_t i = 0; i < v.size(); ++i) {
      out.emplace_back();
      read(v[i], fmt::format("{}.{}", path, i), out.back());
    }
  }

  YAML::Node node_;
  std::string path_;
  std::vector<std::string> known_;
};

void bind_model(MapReader& r, ModelConfig& m) {
  r.field("name", m.name)
      .field("num_hidden_layers", m.num_hidden_layers)
      .field("hidden_size", m.hidden_size)
      .field("num_attention_heads", m.num_attention_heads)
      .field("intermediate_size", m.intermediate_size)
      .field("max_position_embeddings", m.max_position_embeddings)
      .field("type_vocab_size", m.type_vocab_size)
      .field("hidden_dropout_prob", m.hidden_dropout_prob)
      .field("attention_probs_dropout_prob", m.attention_probs_dropout_prob)
      .field("classifier_dropout", m.classifier_dropout)
      .field("layer_norm_eps", m.layer_norm_eps)
      .field("initializer_range", m.initializer_range)
      .field("pretrained", m.pretrained)
      .field("config", m.config);
}

void bind_data(MapReader& r, DataConfig& d) {
  r.field("name", d.name)
      .field("dir", d.dir)
      .field("train_file", d.train_file)
      .field("valid_file", d.valid_file)
      .field("format", d.format)
      .field("labels", d.labels)
      .field("on_bad_row", d.on_bad_row)
      .field("vocab", d.vocab)
      .field("vocab_size", d.vocab_size)
      .field("lowercase", d.lowercase)
      .field("max_length", d.max_length)
      .field("batch_size", d.batch_size)
      .field("padding", d.padding)
      .field("bucket_window", d.bucket_window);
}

void bind_training(MapReader& r, TrainingConfig& t) {
  r.at_least("max_epochs", t.max_epochs, 1, "at least one epoch")
      .at_least("max_steps", t.max_steps, int64_t{0}, "0 = no cap")
      .field("lr", t.lr)
      .field("weight_decay", t.weight_decay)
      .field("warmup_ratio", t.warmup_ratio)
      .field("max_grad_norm", t.max_grad_norm)
      .field("early_stopping_patience", t.early_stopping_patience)
      .at_least("log_every_n_steps", t.log_every_n_steps, 1, "at least every step")
      .at_least("checkpoint_every_n_steps", t.checkpoint_every_n_steps, int64_t{0},
                "0 = at the end of each epoch only")
      .field("limit_train_batches", t.limit_train_batches)
      .field("limit_val_batches", t.limit_val_batches)
      .field("deterministic", t.deterministic)
      .field("resume", t.resume)
      .at_least("num_threads", t.num_threads, 0, "0 = one per physical core")
      .field("data_parallel", t.data_parallel)
      .field("dvc", t.dvc)
      .at_least("nproc", t.nproc, 0, "0 or 1 = this process alone")
      .positive("dist_timeout_s", t.dist_timeout_s, "seconds to wait for the other ranks; > 0")
      .choice("embedding_allreduce", t.embedding_allreduce, {"auto", "sparse", "dense"});
}

void bind_inference(MapReader& r, InferenceConfig& i) {
  r.choice("backend", i.backend, {"auto", "onnx", "torch"})
      .at_least("batch_size", i.batch_size, int64_t{1}, "at least one sentence a batch")
      .at_least("max_length", i.max_length, int64_t{2}, "at least [CLS] and [SEP]")
      .at_least("threads", i.threads, 0, "0 = one per physical core")
      .at_least("inter_op_threads", i.inter_op_threads, 0, "0 = ONNX Runtime's default")
      .choice("graph_optimization", i.graph_optimization, {"disabled", "basic", "extended", "all"})
      .choice("execution_mode", i.execution_mode, {"sequential", "parallel"})
      .field("allow_spinning", i.allow_spinning)
      .field("memory_arena", i.memory_arena)
      .field("profile", i.profile)
      .field("optimized_model", i.optimized_model);
}

void bind_serve(MapReader& r, ServeConfig& s) {
  r.field("host", s.host)
      .field("port", s.port)
      .field("max_input_length", s.max_input_length)
      .field("max_batch_tokens", s.max_batch_tokens)
      .field("max_batch_requests", s.max_batch_requests)
      .field("max_queue_delay_us", s.max_queue_delay_us)
      .field("split_batches", s.split_batches)
      .field("max_client_batch_size", s.max_client_batch_size)
      .field("max_concurrent_requests", s.max_concurrent_requests)
      .field("payload_limit", s.payload_limit)
      .field("request_timeout_s", s.request_timeout_s)
      .field("shutdown_timeout_s", s.shutdown_timeout_s)
      .field("auto_truncate", s.auto_truncate)
      .field("api_key", s.api_key)
      .field("cors_allow_origin", s.cors_allow_origin)
      .field("http_threads", s.http_threads)
      .field("keep_alive_max_count", s.keep_alive_max_count)
      .field("keep_alive_timeout_s", s.keep_alive_timeout_s)
      .field("read_timeout_s", s.read_timeout_s)
      .field("write_timeout_s", s.write_timeout_s)
      .field("request_read_timeout_s", s.request_read_timeout_s)
      .field("tcp_nodelay", s.tcp_nodelay)
      .field("listen_backlog", s.listen_backlog)
      .field("model_id", s.model_id)
      .field("model_name", s.model_name);
  check_serve(s);
}

}  // namespace

void check_serve(const ServeConfig& serve) {
  const auto positive = [](const char* name, double v) {
    if (!(v > 0)) throw UsageError(fmt::format("serve.{} must be positive, got {}", name, v));
  };
  positive("max_batch_tokens", static_cast<double>(serve.max_batch_tokens));
  positive("max_client_batch_size", static_cast<double>(serve.max_client_batch_size));
  positive("max_concurrent_requests", static_cast<double>(serve.max_concurrent_requests));
  positive("request_timeout_s", serve.request_timeout_s);
  positive("shutdown_timeout_s", serve.shutdown_timeout_s);
  positive("http_threads", serve.http_threads);
  positive("keep_alive_timeout_s", serve.keep_alive_timeout_s);
  positive("read_timeout_s", serve.read_timeout_s);
  positive("write_timeout_s", serve.write_timeout_s);
  positive("request_read_timeout_s", serve.request_read_timeout_s);
  if (serve.port < 0 || serve.port > 65535) {
    throw UsageError(fmt::format("serve.port {} is not a port", serve.port));
  }
  // The name is one segment of /v2/models/{name}/...
  if (serve.model_name.find('/') != std::string::npos) {
    throw UsageError(fmt::format("serve.model_name \"{}\" must not contain '/'", serve.model_name));
  }
  if (serve.max_batch_requests < 0 || serve.max_queue_delay_us < 0 || serve.max_input_length < 0) {
    throw UsageError(
        "serve.max_batch_requests, max_queue_delay_us and max_input_length must be >= 0");
  }
}

int64_t BatchLimit::apply(int64_t total) const {
  if (!is_fraction) return std::min(total, static_cast<int64_t>(value));
  const auto n = static_cast<int64_t>(static_cast<double>(total) * value);
  return total > 0 ? std::max<int64_t>(1, n) : 0;
}

AppConfig bind_app_config(const YAML::Node& tree) {
  AppConfig c;
  MapReader root(tree, "");
  root.field("seed", c.seed)
      .section(
          "hydra",
          [&](MapReader& h) { h.section("run", [&](MapReader& r) { r.field("dir", c.run_dir); }); })
      .section("model", [&](MapReader& r) { bind_model(r, c.model); })
      .section("data", [&](MapReader& r) { bind_data(r, c.data); })
      .section("training", [&](MapReader& r) { bind_training(r, c.training); })
      .section("inference", [&](MapReader& r) { bind_inference(r, c.inference); })
      .section("serve", [&](MapReader& r) { bind_serve(r, c.serve); })
      .finish();
  return c;
}

}  // namespace cola::config
