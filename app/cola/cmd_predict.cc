// `cola predict --model model.onnx "The boy is sitting on a bench."`: one JSON line per sentence in
// the seed's format, from arguments, a file or stdin (streamed, flushed per chunk). See
// predict/stream.h for the loop and predictors.h for how a path picks the backend.
#include <fmt/format.h>

#include <memory>

#include "app/cola/commands.h"
#include "app/cola/predictors.h"
#include "core/error.h"
#include "core/log.h"
#include "predict/input.h"
#include "predict/latency.h"
#include "predict/stream.h"
#include "runtime/ort_info.h"

namespace cola::app {
namespace {

struct PredictFlags {
  ModelFlags model;
  std::filesystem::path path, compare;
  std::vector<std::string> sentences;
  std::string input, format = "auto", on_error = "fail";
  int64_t bucket = 16;  // batches read and sorted together: 1.6x faster than 1 on CoLA sentences
  bool timing = false;
};

void print_summary(const predict::StreamResult& r, const predict::Predictor& p) {
  const auto s = predict::summarize(r.batch_seconds, r.sentences);
  double total = 0;
  for (double c : r.call_seconds) total += c;
  fmt::print(stderr,
             "timing: {} sentences in {:.3f} ms ({:.1f} sentences/s, {}); per batch of <= {}: "
             "p50 {:.3f} ms, p99 {:.3f} ms over {} batches; tokenize {:.3f} ms in all\n",
             r.sentences, total * 1e3, total > 0 ? static_cast<double>(r.sentences) / total : 0.0,
             p.backend(), p.options().batch_size, s.p50 * 1e3, s.p99 * 1e3, s.batches,
             r.tokenize_seconds * 1e3);
  fmt::print(stderr, "timing: on {}\n", runtime::describe_machine());
}

void run(PredictFlags& f, const CLI::App& cmd) {
  if (f.sentences.empty() == f.input.empty()) {
    throw UsageError("give sentences as arguments or --input FILE (- for stdin), not both");
  }
  if (f.on_error != "fail" && f.on_error != "skip") {
    throw UsageError(fmt::format("unknown --on-error '{}' (valid: fail, skip)", f.on_error));
  }
  if (!resolve_model_flags(f.model, cmd)) return;  // --cfg printed the config
  const auto format = predict::parse_input_format(f.format);
  const auto predictor =
      open_predictor(f.path, backend_for(f.path, f.model.inference.backend), f.model);
  note_fixed_shape(f.path, *predictor, f.model);
  std::unique_ptr<predict::Predictor> reference;
  if (!f.compare.empty()) {
    reference = open_predictor(f.compare, backend_for(f.compare, "auto"), f.model);
    note_fixed_shape(f.compare, *reference, f.model);
  }
  const auto buf = f.input.empty() ? nullptr : predict::open_input(f.input);
  std::istream in(buf.get());
  predict::SentenceReader reader(
      in, f.input, format,
      f.on_error == "skip" ? predict::OnBadLine::kSkip : predict::OnBadLine::kFail);
  size_t next_arg = 0;
  int64_t line = 0;
  const predict::SentenceSource source = [&](std::string& s) {
    if (f.input.empty()) {
      if (next_arg == f.sentences.size()) return false;
      s = f.sentences[next_arg++];
      return true;
    }
    return reader.next(s, line);
  };
  // The predictor's batch size, not the flag's: a static batch axis overrides it, and a chunk
  // is best a whole number of batches.
  predict::StreamOptions options{
      .chunk = predictor->options().batch_size * f.bucket, .ready = {}, .on_call = {}};
  // A file never stalls; only stdin (a pipe, a terminal) can leave a chunk waiting.
  if (f.input == "-") options.ready = [&] { return in.rdbuf()->in_avail() > 0; };
  if (f.timing) {
    options.on_call = [&](int64_t n, double seconds) {
      fmt::print(stderr, "timing: predict({} sentences) took {:.3f} ms\n", n, seconds * 1e3);
    };
  }
  const auto r = predict::predict_stream(source, *predictor, stdout, options, reference.get());
  if (r.truncated > 0) {
    log::warn("{} sentence(s) were longer than {} tokens and were truncated", r.truncated,
              predictor->options().max_length);
  }
  if (reader.cut_lines() > 0) {
    log::warn("{} line(s) were longer than {} bytes; only their first {} bytes were read",
              reader.cut_lines(), predict::SentenceReader::kMaxLineBytes,
              predict::SentenceReader::kMaxLineBytes);
  }
  if (reader.skipped() > 0) {
    log::warn("skipped {} unreadable line(s); the first: {}", reader.skipped(),
              reader.first_skip_reason());
  }
  if (f.timing) print_summary(r, *predictor);
  if (reference) {
    const auto& c = r.comparison;
    fmt::print(stderr, "compare {} vs {}: max |Δscore| {:.3g}, label agreement {:.2f}% ({}/{})\n",
               predictor->backend(), reference->backend(), c.max_abs_diff, 100 * c.agreement(),
               c.same_label, c.sentences);
    if (c.max_abs_diff > 1e-4 || c.same_label != c.sentences) {
      throw Error(fmt::format("the backends disagree: max |Δscore| {:.3g} > 1e-4", c.max_abs_diff));
    }
  }
}

}  // namespace

void setup_predict(CLI::App& cmd) {
  auto f = std::make_shared<PredictFlags>();
  cmd.add_option("--model", f->path,
                 "a .onnx file (ONNX Runtime), or a checkpoint (LibTorch): a Hugging Face "
                 "directory, pytorch_model.bin, a Lightning .ckpt or a Hub id")
      ->required();
  cmd.add_option("sentences", f->sentences, "sentences to classify");
  cmd.add_option("--input", f->input, "a file of sentences (text, CoLA TSV or JSONL); - = stdin");
  cmd.add_option("--format", f->format, "auto|text|tsv|jsonl")->capture_default_str();
  cmd.add_option("--on-error", f->on_error, "fail|skip an unreadable line")->capture_default_str();
  cmd.add_option("--bucket", f->bucket,
                 "batches read, sorted by length and flushed together (more: less padding)")
      ->capture_default_str();
  cmd.add_flag("--timing", f->timing, "per-call timings and a summary on stderr");
  cmd.add_option("--compare", f->compare,
                 "a second model (the other backend) to run on the same input; exit 1 if any "
                 "score differs by more than 1e-4");
  add_model_flags(cmd, f->model);
  cmd.callback([f, &cmd] {
    if (f->bucket < 1) throw UsageError("--bucket must be >= 1");
    run(*f, cmd);
  });
}

}  // namespace cola::app
