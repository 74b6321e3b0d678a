#include "train/trainer.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "config/model_spec.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "model/checkpoint.h"
#include "track/jsonl_log.h"
#include "track/progress.h"
#include "train/batch_tensors.h"
#include "train/distributed.h"
#include "train/evaluate.h"
#include "train/optimizer.h"
#include "train/prepare.h"
#include "train/run_events.h"
#include "train/run_files.h"
#include "train/schedule.h"
#include "train/state.h"
#include "train/train_step.h"

namespace cola::train {
namespace fs = std::filesystem;
namespace {

using core::Clock;

// Everything one run holds, so the steps below stay small functions.
struct Session {
  const TrainRequest& request;
  const config::AppConfig& cfg;
  PreparedData data;
  std::unique_ptr<data::Batcher> train_batches;
  std::unique_ptr<data::Batcher> valid_batches;  // null without a validation file
  model::BertForSequenceClassification model{nullptr};
  std::unique_ptr<FusedAdamW> optimizer;
  std::unique_ptr<Replicas> replicas;  // data-parallel copies of the model; null when off
  TrainerState state;
  EarlyStopping early;
  std::unique_ptr<track::JsonlLog> metrics;  // rank 0 only, as the event file
  std::unique_ptr<RunEvents> events;
  TrainResult result;
  ProcessGroup* group = nullptr;  // the job's, in a multi-process job
  std::unique_ptr<GradientSync> sync;

  bool writer() const { return group == nullptr || group->rank() == 0; }
};

// Sets LibTorch's threads; returns how many model replicas data-parallel steps use (0: none).
// `local_processes` share this machine's cores: by default each takes its share.
int configure_threads(const config::TrainingConfig& t, int local_processes) {
  const int cores =
      static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, local_processes);
  const int threads = std::max(1, t.num_threads > 0 ? t.num_threads : cores);
  const bool parallel = t.data_parallel && threads > 1;
  torch::set_num_threads(parallel ? 1 : threads);
  at::globalContext().setDeterministicAlgorithms(t.deterministic, /*warn_only=*/false);
  log::info("LibTorch: {}{}",
            parallel
                ? fmt::format("each batch split over {} threads, 1 intra-op thread each", threads)
                : fmt::format("{} intra-op threads", threads),
            t.deterministic ? ", deterministic algorithms" : "");
  return parallel ? threads - 1 : 0;
}

// The vocab.txt a run must use: the one of the checkpoint it resumes or starts from (which, for a
// Lightning .ckpt or a Hub id, is found as loading it finds it).
fs::path inherited_vocab(const config::AppConfig& cfg) {
  if (!cfg.training.resume.empty()) return fs::path(cfg.training.resume) / checkpoint::kVocabFile;
  if (!cfg.model.pretrained.empty()) {
    return checkpoint::open_checkpoint_source(
               cfg.model.pretrained,
               {.config = cfg.model.config, .labels = {}, .read_weights = false})
        .vocab_path;
  }
  return {};
}

model::BertForSequenceClassification build_model(const Session& s) {
  const auto& cfg = s.cfg;
  const auto& vocab = s.data.tokenizer.vocab();
  const auto from = !cfg.training.resume.empty() ? cfg.training.resume : cfg.model.pretrained;
  if (from.empty()) {
    torch::manual_seed(cfg.seed);
    return model::BertForSequenceClassification(
        config::bert_config(cfg.model, vocab.size(), cfg.data.labels, vocab.special().pad));
  }
  model::LoadOptions options;
  options.allow_missing_head = true;  // a pretrained encoder gets a fresh head for this task
  if (cfg.training.resume.empty()) options.source.config = cfg.model.config;
  options.adjust_config = [&](spec::BertConfig& c) {
    c.id2label = cfg.data.labels;
    c.hidden_dropout_prob = cfg.model.hidden_dropout_prob;
    c.attention_probs_dropout_prob = cfg.model.attention_probs_dropout_prob;
    c.classifier_dropout = cfg.model.classifier_dropout;
  };
  torch::manual_seed(cfg.seed);  // a missing classifier head is initialised from this seed
  auto checkpoint = model::load_checkpoint(from, options);
  if (checkpoint.config.vocab_size != vocab.size()) {
    throw UsageError(
        fmt::format("{}: the model has {} word embeddings but its vocab.txt has {} "
                    "tokens",
                    from, checkpoint.config.vocab_size, vocab.size()));
  }
  log::info("starting from checkpoint {}", from);
  return checkpoint.model;
}

void save(Session& s, const std::string& name) {
  const fs::path dir = s.result.run_dir / "checkpoints" / name;
  if (!s.writer()) {  // every rank holds the same weights: rank 0's copy is the run's
    (name == "best" ? s.result.best_checkpoint : s.result.last_checkpoint) = dir;
    return;
  }
  spec::TokenizerConfig tok;
  tok.do_lower_case = s.cfg.data.lowercase;
  tok.model_max_length = s.cfg.data.max_length;
  s.state.best_valid_loss = s.early.best();
  s.state.bad_epochs = s.early.bad_epochs();
  model::save_checkpoint(dir, *s.model, s.data.vocab_path, tok, [&](const fs::path& tmp) {
    save_trainer_state(tmp, s.state, *s.optimizer);
  });
  (name == "best" ? s.result.best_checkpoint : s.result.last_checkpoint) = dir;
}

void validate(Session& s, double train_loss, double train_acc) {
  if (!s.valid_batches) return;
  const auto limit = s.cfg.training.limit_val_batches.apply(
      static_cast<int64_t>(s.valid_batches->eval_plan(data::EvalOrder::input).size()));
  const int shards = s.group != nullptr ? s.group->size() : 1;
  Evaluation ev =
      evaluate(*s.model, *s.valid_batches, limit, s.group != nullptr ? s.group->rank() : 0, shards);
  if (s.group != nullptr) reduce_evaluation(*s.group, ev, fmt::format("valid/{}", s.state.step));
  EpochResult r{s.state.epoch + 1, s.state.step, train_loss, train_acc, ev.loss, ev.metrics};
  if (s.writer()) {
    const auto record = validation_record(r, ev);
    s.metrics->append(record);
    s.metrics->sync();  // a validation is worth a few milliseconds of fdatasync
    s.events->validation(r.step, record, ev, s.data.splits.valid->examples, s.cfg.data.labels);
    write_misclassified(s.result.run_dir, r.epoch, ev, s.data.splits.valid->examples,
                        s.cfg.data.labels);
  }
  log::info("epoch {}: valid/loss {:.4f} valid/acc {:.4f} valid/mcc {:.4f} ({} misclassified)",
            r.epoch, ev.loss, ev.metrics.accuracy, ev.metrics.mcc, ev.errors.size());
  s.result.epochs.push_back(r);
  if (s.early.update(ev.loss)) {
    s.result.best = r;
    save(s, "best");
  }
}

// Whether this process wants the run to stop after the coming step: Ctrl-C, or stop_after_steps.
bool wants_stop(const Session& s) {
  const auto after = s.request.stop_after_steps;
  return interrupt_requested() || (after > 0 && s.state.step + 1 >= after);
}

// One optimizer step on one batch.
StepOutcome step(Session& s, data::Batch& batch) {
  const auto& t = s.cfg.training;
  set_learning_rate(
      *s.optimizer,
      linear_warmup_decay(t.lr, s.state.step,
                          static_cast<int64_t>(std::llround(t.warmup_ratio * s.state.total_steps)),
                          s.state.total_steps));
  std::optional<RankStep> rank;
  if (s.group != nullptr)
    rank.emplace(RankStep{*s.sync, s.group->rank(), s.group->size(), wants_stop(s)});
  auto out = train_step(s.model, *s.optimizer, as_tensors(batch), t.max_grad_norm, s.replicas.get(),
                        rank ? &*rank : nullptr);
  // Alone, the stop is this process's own wish; in a job, any rank's, agreed in the all-reduce,
  // so that every rank stops after the same step.
  if (s.group == nullptr) out.stop = wants_stop(s);
  s.result.allreduce_seconds += out.sync.seconds;
  s.result.allreduce_bytes += out.sync.bytes;
  if (out.sync.sparse_embedding) ++s.result.sparse_embedding_steps;
  if (!out.finite) {
    const std::string what = std::isfinite(out.loss)
                                 ? fmt::format("the gradient norm is {}", out.grad_norm)
                                 : fmt::format("the loss is {}", out.loss);
    throw Error(
        fmt::format("step {}: {}; stopping without updating the weights (the last checkpoint "
                    "written is intact; try a lower training.lr)",
                    s.state.step + 1, what));
  }
  ++s.state.step;
  return out;
}

// Running means between two log lines.
struct Window {
  double loss = 0;
  int64_t correct = 0, sentences = 0, steps = 0;
  Clock::time_point start = Clock::now();
};

void log_step(Session& s, Window& w) {
  const double seconds = core::seconds_since(w.start);
  const double loss = w.loss / static_cast<double>(w.steps);
  const double acc = static_cast<double>(w.correct) / static_cast<double>(w.sentences);
  const double lr = s.optimizer->param_groups()[0].options().get_lr();
  if (!s.writer()) {
    w = Window{};
    return;
  }
  s.metrics->append({{"step", s.state.step},
                     {"epoch", s.state.epoch + 1},
                     {"train/loss", loss},
                     {"train/acc", acc},
                     {"lr", lr},
                     {"sentences_per_second", static_cast<double>(w.sentences) / seconds}});
  s.events->train_step(s.state.step, loss, acc, lr);
  w = Window{};
}

// Trains the rest of the current epoch; false when interrupted (after saving `last`).
bool run_epoch(Session& s, double& epoch_loss, double& epoch_acc) {
  auto plan = s.train_batches->train_plan(s.cfg.seed, s.state.epoch);
  plan.resize(static_cast<size_t>(s.state.steps_per_epoch));
  track::Progress progress(fmt::format("epoch {}/{}", s.state.epoch + 1, s.cfg.training.max_epochs),
                           s.state.steps_per_epoch,
                           s.request.progress && s.writer() ? stderr : nullptr);
  data::Batch batch;
  Window window;
  double loss_sum = 0;
  int64_t correct = 0, sentences = 0, batches = 0;
  s.model->train();
  for (auto b = static_cast<size_t>(s.state.batch); b < plan.size(); ++b) {
    s.train_batches->make_batch(plan[b], batch);
    const auto start = Clock::now();
    const auto out = step(s, batch);
    const double loss = out.loss;
    const int64_t right = out.correct;
    s.result.train_seconds += core::seconds_since(start);
    const auto n = static_cast<int64_t>(batch.labels.size());
    s.result.train_sentences += n;
    s.result.step_losses.push_back(loss);
    loss_sum += loss, correct += right, sentences += n, ++batches;
    window.loss += loss, window.correct += right, window.sentences += n, ++window.steps;
    if (s.state.step % s.cfg.training.log_every_n_steps == 0) log_step(s, window);
    s.state.batch = static_cast<int64_t>(b) + 1;
    const auto every = s.cfg.training.checkpoint_every_n_steps;
    if (every > 0 && s.state.step % every == 0 && s.state.batch < s.state.steps_per_epoch) {
      save(s, "last");  // the epoch's end saves it anyway
    }
    progress.update(s.state.batch,
                    fmt::format("loss {:.4f} acc {:.3f} | {:.0f} sent/s",
                                loss_sum / static_cast<double>(batches),
                                static_cast<double>(correct) / static_cast<double>(sentences),
                                static_cast<double>(s.result.train_sentences) /
                                    std::max(1e-9, s.result.train_seconds)));
    if (out.stop) {
      progress.finish("interrupted");
      save(s, "last");
      log::warn("interrupted at step {}: saved {}", s.state.step,
                s.result.last_checkpoint.string());
      return false;
    }
  }
  // Means over the batches this process ran (a resumed epoch counts only its second half).
  epoch_loss = batches > 0 ? loss_sum / static_cast<double>(batches) : 0.0;
  epoch_acc = sentences > 0 ? static_cast<double>(correct) / static_cast<double>(sentences) : 0.0;
  progress.finish(fmt::format("loss {:.4f} acc {:.3f}", epoch_loss, epoch_acc));
  return true;
}

// A vocabulary trained for this run goes to the run directory; other ranks train the same one
// (the same sentences and settings) into a directory of their own, since only rank 0 writes there.
fs::path vocab_dir(const fs::path& run_dir, const ProcessGroup* group) {
  if (group == nullptr || group->rank() == 0) return run_dir;
  return fs::temp_directory_path() / fmt::format("cola-rank{}-{}", group->rank(), getpid());
}

Session open_session(const TrainRequest& request, const fs::path& run_dir, int64_t resumed_step,
                     ProcessGroup* group) {
  config::DataConfig data_cfg = request.config.data;
  if (data_cfg.vocab.empty()) data_cfg.vocab = inherited_vocab(request.config).string();
  const bool writer = group == nullptr || group->rank() == 0;
  return Session{
      request,
      request.config,
      prepare_data(data_cfg, vocab_dir(run_dir, group)),
      nullptr,
      nullptr,
      nullptr,
      nullptr,
      nullptr,
      {},
      EarlyStopping(request.config.training.early_stopping_patience),
      writer ? std::make_unique<track::JsonlLog>(run_dir / "metrics.jsonl") : nullptr,
      writer ? std::make_unique<RunEvents>(run_dir, request.resolved_yaml, resumed_step) : nullptr,
      {},
      group,
      nullptr};
}

void setup(Session& s) {
  const auto pad = s.data.tokenizer.vocab().special().pad;
  // The batchers own the token ids from here on (moved, not copied).
  s.train_batches = std::make_unique<data::Batcher>(std::move(s.data.train), s.cfg.data, pad);
  if (!s.data.valid.labels.empty()) {
    s.valid_batches = std::make_unique<data::Batcher>(std::move(s.data.valid), s.cfg.data, pad);
  }
  s.model = build_model(s);
  // A batch touches a few hundred of the 30k word-embedding rows. A sparse gradient skips building
  // and zeroing a dense [vocab, hidden] one each step; FusedAdamW still updates every row as dense
  // AdamW does.
  s.model->bert()->embeddings()->set_sparse_word_gradient(true);
  s.optimizer = make_adamw(*s.model, s.cfg.training);
  const auto& t = s.cfg.training;
  if (s.group != nullptr) {
    const auto named = s.model->named_parameters();
    int64_t sparse = -1;
    for (size_t i = 0; i < named.size(); ++i) {
      if (named[i].key() == "bert.embeddings.word_embeddings.weight")
        sparse = static_cast<int64_t>(i);
    }
    s.sync = std::make_unique<GradientSync>(*s.group, s.model->parameters(), sparse,
                                            parse_embedding_reduce(t.embedding_allreduce));
  }
  s.state.seed = s.cfg.seed;
  s.state.steps_per_epoch = t.limit_train_batches.apply(
      static_cast<int64_t>(s.train_batches->train_plan(s.cfg.seed, 0).size()));
  s.state.total_steps = s.state.steps_per_epoch * t.max_epochs;
  if (t.max_steps > 0) s.state.total_steps = std::min(s.state.total_steps, t.max_steps);
  if (t.resume.empty()) return;
  const auto saved = load_trainer_state(t.resume, *s.optimizer);
  if (saved.seed != s.state.seed || saved.steps_per_epoch != s.state.steps_per_epoch) {
    throw UsageError(fmt::format(
        "training.resume={}: it was trained with seed {} and {} steps per epoch; this run has {} "
        "and {} (give training.resume its run directory to continue with the run's own config)",
        t.resume, saved.seed, saved.steps_per_epoch, s.state.seed, s.state.steps_per_epoch));
  }
  if (saved.epoch >= t.max_epochs || (t.max_steps > 0 && saved.step >= t.max_steps)) {
    throw UsageError(
        fmt::format("training.resume={}: the run has finished ({} epochs, {} steps); set "
                    "training.max_epochs (or training.max_steps) higher to train more",
                    t.resume, saved.epoch, saved.step));
  }
  if (saved.total_steps != s.state.total_steps) {
    log::info("the learning-rate schedule now spans {} steps instead of {}", s.state.total_steps,
              saved.total_steps);
  }
  const int64_t total_steps = s.state.total_steps;
  s.state = saved;
  s.state.total_steps = total_steps;
  s.early.restore(saved.best_valid_loss, static_cast<int>(saved.bad_epochs));
  log::info("resuming at epoch {}, batch {}, step {}", s.state.epoch + 1, s.state.batch,
            s.state.step);
}

TrainResult run(Session& s) {
  const auto& t = s.cfg.training;
  while (s.state.epoch < t.max_epochs && (t.max_steps == 0 || s.state.step < t.max_steps)) {
    double loss = 0, acc = 0;
    if (!run_epoch(s, loss, acc)) {
      s.result.interrupted = true;
      break;
    }
    validate(s, loss, acc);
    ++s.state.epoch;
    s.state.batch = 0;
    save(s, "last");
    if (s.early.should_stop()) {
      s.result.early_stopped = true;
      log::info("early stopping: valid/loss has not improved for {} epochs",
                t.early_stopping_patience);
      break;
    }
  }
  s.result.steps = s.state.step;
  return s.result;
}

// True when `checkpoint` is one of `run_dir`'s own (run_dir/checkpoints/<name>).
bool inside_run(const fs::path& checkpoint, const fs::path& run_dir) {
  auto path = fs::path(checkpoint).lexically_normal();
  if (!path.has_filename() && path.has_parent_path()) path = path.parent_path();  // "last/"
  std::error_code ec;
  return fs::equivalent(path.parent_path().parent_path(), run_dir, ec);
}

// A run continued in place: its validations so far, so the summary covers the whole run.
void restore_history(Session& s, std::vector<EpochResult> history) {
  for (auto& r : history) {
    if (!s.result.best || r.valid_loss < s.result.best->valid_loss) s.result.best = r;
  }
  s.result.epochs = std::move(history);
  const fs::path best = s.result.run_dir / "checkpoints" / "best";
  if (s.result.best && fs::exists(best)) s.result.best_checkpoint = best;
}

}  // namespace

namespace {

// Why `run_dir` cannot take this run, or empty. A new run never writes into an old one: its
// metrics would interleave and its checkpoints be replaced. Only a run continued from one of its
// own checkpoints appends to its directory.
std::string refusal(const fs::path& run_dir, bool in_place) {
  if (in_place || !fs::exists(run_dir / "metrics.jsonl")) return {};
  return fmt::format(
      "{}: already holds a run (metrics.jsonl); choose another hydra.run.dir, remove it, or "
      "continue it with training.resume={}",
      run_dir.string(), run_dir.string());
}

// Rank 0 (or a single process) claims the run directory: checks it, rewinds what a killed run
// logged after its last checkpoint, writes the .hydra files and opens train.log. Every other rank
// takes rank 0's directory and logs to train.rank<N>.log there.
fs::path claim_run(const TrainRequest& request, ProcessGroup* group, int64_t& resumed_step,
                   std::vector<EpochResult>& history) {
  fs::path run_dir =
      request.config.run_dir.empty() ? fs::path("outputs") : fs::path(request.config.run_dir);
  const auto& resume = request.config.training.resume;
  const bool writer = group == nullptr || group->rank() == 0;
  const auto refused =
      writer ? refusal(run_dir, !resume.empty() && inside_run(resume, run_dir)) : std::string();
  if (group != nullptr) run_dir = agree_on_run(*group, run_dir, request.resolved_yaml, refused);
  if (!refused.empty()) throw UsageError(refused);
  const bool in_place = !resume.empty() && inside_run(resume, run_dir);
  resumed_step = in_place ? read_trainer_state(resume).step : 0;
  fs::create_directories(run_dir);
  if (!writer) {
    log::add_file_sink((run_dir / fmt::format("train.rank{}.log", group->rank())).string());
    return run_dir;
  }
  if (in_place) history = rewind_metrics(run_dir, resumed_step);
  write_hydra_files(run_dir, request.resolved_yaml, request.overrides);
  log::add_file_sink((run_dir / "train.log").string());
  return run_dir;
}

}  // namespace

TrainResult train(const TrainRequest& request) {
  install_interrupt_handler();
  const auto world = job_world();
  std::unique_ptr<ProcessGroup> group;
  if (world) group = join_job(*world, request.config.training);
  int64_t resumed_step = 0;
  std::vector<EpochResult> history;
  const fs::path run_dir = claim_run(request, group.get(), resumed_step, history);
  // After claim_run, which opens this rank's log file (train.log or train.rank<N>.log).
  if (world) {
    log::info("rank {} of {} ({}, store at {}:{})", world->rank, world->world_size, world->source,
              world->master_addr, world->master_port);
  }
  log::info("run directory: {}", run_dir.string());
  try {
    const int replicas = configure_threads(request.config.training,
                                           world ? std::max(1, world->local_world_size) : 1);
    Session s = open_session(request, run_dir, resumed_step, group.get());
    s.result.run_dir = run_dir;
    s.result.world_size = world ? world->world_size : 1;
    s.result.rank = world ? world->rank : 0;
    setup(s);
    restore_history(s, std::move(history));
    if (replicas > 0) s.replicas = std::make_unique<Replicas>(s.model, replicas);
    TrainResult result = run(s);
    if (s.writer()) {
      s.events->flush();
      write_summary(result, result.interrupted ? "interrupted" : "finished");
      write_checkpoint_manifests(result, request, request.config.training.dvc);
    } else {
      std::error_code ignored;
      fs::remove_all(vocab_dir(run_dir, group.get()), ignored);
    }
    log::remove_file_sink();
    return result;
  } catch (const c10::Error& e) {
    log::write_file_only(log::Level::error, e.what_without_backtrace());
    log::remove_file_sink();
    throw Error(fmt::format("training: {}", e.what_without_backtrace()));
  } catch (const std::exception& e) {
    // main() prints the error on stderr; the run's train.log keeps it too.
    log::write_file_only(log::Level::error, e.what());
    log::remove_file_sink();
    throw;
  }
}

}  // namespace cola::train
