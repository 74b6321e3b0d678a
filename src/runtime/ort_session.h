#pragma once
// An ONNX Runtime inference session behind a header free of ORT types (DESIGN.md practice 7: ORT
// appears only in runtime/ort_session.cc). Move-only, RAII; every failure is a cola::Error that
// names the model and, where there is one, the tensor.
//
//   auto session = runtime::Session::open("model.onnx", {.intra_op_threads = 2});
//   auto out = session.run({{"input_ids", ids, {1, 7}}, {"attention_mask", mask, {1, 7}}});
//   // out[0].name == "logits", out[0].shape == {1, 2}
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cola::runtime {

/// ONNX Runtime's graph optimisation levels (GraphOptimizationLevel in its C API).
enum class GraphOptimization {
  kDisabled,  // run the graph as written
  kBasic,     // constant folding, redundant node removal
  kExtended,  // plus operator fusions (LayerNorm, GELU, bias...)
  kAll,       // plus layout optimisations: ORT's default and ours
};

/// Parses "disabled", "basic", "extended" or "all"; UsageError listing them otherwise.
GraphOptimization parse_graph_optimization(std::string_view name);

/// How ORT schedules independent operators (ExecutionMode in its C API).
enum class ExecutionMode {
  kSequential,  // one operator at a time: BERT is one chain, so this is the fast choice
  kParallel,    // independent branches on the inter-op pool
};

/// Parses "sequential" or "parallel"; UsageError listing them otherwise.
ExecutionMode parse_execution_mode(std::string_view name);

/// Session options; the defaults suit one request at a time on a small machine.
struct SessionOptions {
  int intra_op_threads = 1;  // threads inside one operator (matmuls); 0 = one per physical core
  int inter_op_threads = 1;  // threads across independent operators; 0 = ORT's default
  GraphOptimization optimization = GraphOptimization::kAll;  // what ORT rewrites at load
  ExecutionMode execution_mode = ExecutionMode::kSequential;
  bool allow_spinning = true;  // session.intra_op.allow_spinning: idle workers busy-wait (ORT's
                               // default); off saves CPU between requests, costs wake-up latency
  bool memory_arena = true;    // ORT's CPU arena allocator; off returns memory after each run
  std::string profile_prefix =
      {};  // non-empty: write a chrome://tracing JSON "<prefix>_<time>.json"
  std::filesystem::path optimized_model = {};  // non-empty: save the graph after optimisation here
};

/// Element types of model inputs and outputs that cola uses; anything else is kOther.
enum class ElementType { kFloat, kInt64, kOther };

/// "float", "int64" or "other".
std::string_view to_string(ElementType type);

/// A model input or output as the model declares it.
struct TensorInfo {
  std::string name;
  ElementType type = ElementType::kOther;
  std::vector<int64_t> shape;           // -1 for a symbolic or unknown dimension
  std::vector<std::string> dim_params;  // per dimension: its symbolic name, or "" when fixed
};

/// The shape as the model declares it, symbolic dims by name: "[batch_size, 128]" ("?" for a
/// dim with neither a value nor a name).
std::string shape_text(const TensorInfo& info);

/// An ONNX Runtime message on one line: its lines trimmed and joined with "; ". Every Error from
/// this module is one line. ORT's input checks write three ("Got invalid dimensions for input:
/// input_ids for the following indices\n index: 1 Got: 7 Expected: 128\n Please fix ..."), and
/// core's one_line_message keeps only the first (it is there to drop LibTorch's backtraces),
/// which would lose the part that says what is wrong.
std::string join_lines(std::string_view message);

/// An int64 input for Session::run. `data` is borrowed, not copied: it must outlive run().
struct Int64Input {
  std::string name;
  std::span<const int64_t> data;  // row-major, shape's product elements
  std::vector<int64_t> shape;
};

/// A float output of Session::run.
struct FloatOutput {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major
};

/// An int64 input for Session::run_into: everything borrowed, so a run allocates nothing of ours.
struct Int64View {
  const char* name;
  std::span<const int64_t> data;   // row-major
  std::span<const int64_t> shape;  // its product is data.size()
};

/// A loaded model, ready to run. Thread-compatible: run() may be called from several threads.
class Session {
 public:
  /// Loads an .onnx file; Error("<path>: ...") when it is missing or ORT rejects it.
  static Session open(const std::filesystem::path& path, const SessionOptions& options = {});
  /// Loads a model from serialized bytes (copied by ORT); `label` names it in messages.
  static Session from_bytes(std::string_view bytes, const SessionOptions& options = {},
                            const std::string& label = "<in-memory model>");

  Session(Session&& other) noexcept;
  Session& operator=(Session&& other) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  /// The model's inputs and outputs, in declaration order.
  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  /// The name the session was opened with (a path or a label).
  const std::string& label() const;

  /// Runs the model on int64 inputs (all the model's inputs, any order) and returns the float
  /// outputs named in `output_names`, or every output when empty. Throws Error for an unknown or
  /// missing input, a shape that does not fit the model's static dims ("input 'input_ids' takes
  /// shape [batch_size, 128], got [1, 7]"), a wrong element count, a non-float output, or a
  /// failure inside ORT (its message on one line).
  std::vector<FloatOutput> run(const std::vector<Int64Input>& inputs,
                               const std::vector<std::string>& output_names = {}) const;

  /// The hot-path run: ORT writes the float output `output` straight into `out` (shape
  /// `out_shape`, which must be what the model produces), through Ort::Values that wrap our
  /// buffers, so nothing is copied. At most 8 inputs. Errors as run(); thread-safe.
  void run_into(std::span<const Int64View> inputs, const char* output, std::span<float> out,
                std::span<const int64_t> out_shape) const;

  /// The model's custom metadata (ModelProto.metadata_props), key to value.
  std::map<std::string, std::string> metadata() const;

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cola::runtime
