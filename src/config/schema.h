#pragma once
// The configuration as plain structs with defaults (DESIGN.md practice 4). YAML maps 1:1 onto them
// (see bind.cc); an unknown key is an error. Comments give units and what 0 or empty means.
#include <cstdint>
#include <string>
#include <vector>

namespace cola::config {

/// `model:` — the BERT encoder and classification head. Names follow Hugging Face's BertConfig.
struct ModelConfig {
  std::string name = "bert-tiny";             // preset name, for logs and run names
  int num_hidden_layers = 2;                  // L: encoder layers
  int hidden_size = 128;                      // H: must divide by num_attention_heads
  int num_attention_heads = 2;                // A
  int intermediate_size = 512;                // feed-forward width (usually 4H)
  int max_position_embeddings = 512;          // longest sequence the position table covers
  int type_vocab_size = 2;                    // token-type (segment) rows
  double hidden_dropout_prob = 0.1;           // dropout on embeddings, attention output, FFN output
  double attention_probs_dropout_prob = 0.1;  // dropout on attention weights
  double classifier_dropout = 0.1;  // dropout before the classifier (HF: falls back to hidden)
  double layer_norm_eps = 1e-12;    // LayerNorm epsilon
  double initializer_range = 0.02;  // std of the normal weight init (as HF)
  std::string pretrained;  // checkpoint to start from: a HF directory, a weights file, a Lightning
                           // .ckpt or a Hub id (org/name[@rev]); empty = random init
  std::string config;      // config.json (or a directory or Hub id holding it and vocab.txt) for
                           // a `pretrained` without its own; empty = its own / its model_name
};

/// `data:` — where the sentences come from and how they become batches.
struct DataConfig {
  std::string name = "sample";           // dataset name, for logs
  std::string dir;                       // directory holding the files below
  std::string train_file = "train.tsv";  // training file in dir (CoLA TSV, GLUE TSV or JSONL)
  std::string valid_file = "dev.tsv";    // validation file in dir; empty = no validation
  std::string format = "auto";           // auto | cola_tsv | glue_tsv | jsonl
  std::vector<std::string> labels = {"unacceptable", "acceptable"};  // label names by id
  std::string on_bad_row = "error";  // error | skip (skipped rows are counted and reported)
  std::string vocab;                 // vocab.txt; empty = train one from train_path
  int vocab_size = 8000;             // size of a trained vocab (when vocab is empty)
  bool lowercase = true;             // uncased tokenizer (strip accents too)
  int max_length = 128;              // tokens per sentence incl. [CLS]/[SEP]; longer truncated
  int batch_size = 64;               // sentences per training batch
  std::string padding = "longest";   // longest | multiple_of_8 | max_length (seed: pad to 128)
  int bucket_window = 50;            // length bucketing window in batches; 0 = off
};

/// Lightning-style batch limit: a fraction of the batches ("0.25", "1.0") or a count ("10").
struct BatchLimit {
  bool is_fraction = true;  // true: `value` is a fraction in (0, 1]; false: a batch count
  double value = 1.0;
  /// How many of `total` batches to run (at least 1 when total > 0 and the limit is positive).
  int64_t apply(int64_t total) const;
};

/// `training:` — the optimisation loop.
struct TrainingConfig {
  int max_epochs = 5;                    // upper bound on epochs; early stopping may end sooner
  int64_t max_steps = 0;                 // optimizer steps cap; 0 = no cap
  double lr = 3e-4;                      // peak learning rate (AdamW)
  double weight_decay = 0.01;            // AdamW decoupled weight decay (not on biases/LayerNorm)
  double warmup_ratio = 0.1;             // fraction of total steps with linear warm-up
  double max_grad_norm = 1.0;            // gradient clipping; 0 = off
  int early_stopping_patience = 3;       // epochs without valid/loss improvement; 0 = off
  int log_every_n_steps = 10;            // how often train/loss and train/acc are logged
  int64_t checkpoint_every_n_steps = 0;  // also save `last` every n steps; 0 = at epoch ends only
  BatchLimit limit_train_batches;        // per epoch: fraction or count (Lightning semantics)
  BatchLimit limit_val_batches;          // per validation: fraction or count
  bool deterministic = false;            // deterministic algorithms (slower where they differ)
  std::string resume;   // a run dir, or a checkpoint dir (…/checkpoints/last), to continue from
  int num_threads = 0;  // LibTorch intra-op threads; 0 = physical cores
  bool data_parallel = true;  // with > 1 thread: split each batch over them, 1 thread each
  bool dvc = false;           // also write a DVC 3 .dvc file beside each checkpoint
  int nproc =
      0;  // > 1: start this many local worker processes (as torchrun --standalone); 0, 1 = none
  double dist_timeout_s = 1800;  // multi-process: longest wait for the rendezvous or a collective
  std::string embedding_allreduce =
      "auto";  // multi-process: auto | sparse | dense word-embedding gradient
};

/// `inference:` — `cola predict` and `cola bench`: batching and ONNX Runtime's session options.
/// The options latency and throughput are presets (`--preset`); a CLI flag beats the config.
struct InferenceConfig {
  std::string backend = "auto";  // auto (.onnx file: onnx, checkpoint dir: torch) | onnx | torch
  int64_t batch_size = 32;       // sentences per forward pass
  int64_t max_length = 128;      // tokens kept incl. [CLS]/[SEP]; capped by the model's tokenizer
  int threads = 1;               // intra-op threads (ORT or LibTorch); 0 = one per physical core
  int inter_op_threads = 1;      // ORT threads across independent operators; 0 = ORT's default
  std::string graph_optimization = "all";     // disabled | basic | extended | all (ORT's levels)
  std::string execution_mode = "sequential";  // sequential | parallel (operators at once)
  bool allow_spinning = true;   // session.intra_op.allow_spinning: idle ORT threads busy-wait
  bool memory_arena = true;     // ORT's CPU arena allocator
  std::string profile;          // non-empty: ORT writes a chrome://tracing "<profile>_<time>.json"
  std::string optimized_model;  // non-empty: ORT saves the graph after optimisation here
};

/// Padded tokens per batch of `cola serve`'s batcher, TEI's --max-batch-total-tokens default: the
/// one place the number is written in code (configs/serve/default.yaml states it for users).
inline constexpr int64_t kDefaultMaxBatchTokens = 16384;

/// `serve:` — `cola serve`: the HTTP server, its dynamic batcher and its limits, with
/// text-embeddings-inference's names and defaults where it has them. The model's session
/// settings (threads, graph optimisation) come from `inference:`.
struct ServeConfig {
  std::string host = "127.0.0.1";  // bind address; 0.0.0.0 (every interface) on request only
  int port = 8080;                 // TCP port; 0 = a free one (printed)
  int64_t max_input_length = 0;    // tokens per input incl. [CLS]/[SEP]; 0 = the model's
  // Padded tokens per batch (rows x longest); >= 1.
  int64_t max_batch_tokens = kDefaultMaxBatchTokens;
  int64_t max_batch_requests = 0;      // inputs per batch; 0 = only max_batch_tokens caps it
  int64_t max_queue_delay_us = 0;      // wait up to this for a batch to fill; 0 = never wait
  bool split_batches = true;           // cut a batch by length where padding costs more than a run
  int64_t max_client_batch_size = 32;  // inputs in one request; more: 413
  int64_t max_concurrent_requests = 512;  // inputs accepted and not yet answered; more: 429
  int64_t payload_limit = 2000000;        // request body bytes; more: 413
  double request_timeout_s = 30;          // longest wait in the queue; longer: 503
  double shutdown_timeout_s = 30;         // SIGTERM/SIGINT: drain this long at most, then exit
  bool auto_truncate = true;              // what "truncate" is when a request does not say
  std::string api_key;                    // non-empty: "Authorization: Bearer <key>" required
  std::string cors_allow_origin;          // Access-Control-Allow-Origin; empty = no CORS headers
  int http_threads = 1024;                // connection threads: a keep-alive connection holds one
  int64_t keep_alive_max_count = 100000;  // requests per keep-alive connection
  double keep_alive_timeout_s = 5;        // idle seconds before a keep-alive connection closes
  double read_timeout_s = 5;              // longest wait for a request's next bytes
  double write_timeout_s = 5;             // longest wait for a client to take an answer's bytes
  double request_read_timeout_s = 30;     // a request's headers and body arrive within this
  bool tcp_nodelay = true;                // no Nagle delay on small responses
  int listen_backlog = 4096;              // pending connections the kernel queues
  std::string model_id;                   // /info's model_id; empty = the model file's name
  std::string model_name;  // /v2/models/{name} (KServe v2); empty = the model file's stem
};

/// The whole resolved configuration.
struct AppConfig {
  uint64_t seed = 42;   // seeds shuffling, init and dropout
  std::string run_dir;  // hydra.run.dir: this run's output directory
  ModelConfig model;
  DataConfig data;
  TrainingConfig training;
  InferenceConfig inference;
  ServeConfig serve;
};

}  // namespace cola::config
