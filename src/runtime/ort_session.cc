#include "runtime/ort_session.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <array>
#include <functional>
#include <numeric>

#include "core/error.h"
#include "core/file.h"

namespace cola::runtime {
namespace {

// One environment per process, as ORT requires (it owns the logger and global state). Errors
// only: ORT's warnings would break the CLI's one-line-per-error contract.
Ort::Env& env() {
  static Ort::Env instance(ORT_LOGGING_LEVEL_ERROR, "cola");
  return instance;
}

// Runs f(), turning ORT's exceptions into one-line cola::Errors prefixed with `context`.
template <class F>
decltype(auto) ort_call(const std::string& context, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const Ort::Exception& e) {
    throw Error(context + ": " + join_lines(e.what()));
  }
}

GraphOptimizationLevel to_ort(GraphOptimization level) {
  switch (level) {
    case GraphOptimization::kDisabled:
      return ORT_DISABLE_ALL;
    case GraphOptimization::kBasic:
      return ORT_ENABLE_BASIC;
    case GraphOptimization::kExtended:
      return ORT_ENABLE_EXTENDED;
    case GraphOptimization::kAll:
      return ORT_ENABLE_ALL;
  }
  return ORT_ENABLE_ALL;
}

ElementType from_ort(ONNXTensorElementDataType type) {
  if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) return ElementType::kFloat;
  if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64) return ElementType::kInt64;
  return ElementType::kOther;
}

Ort::SessionOptions make_options(const SessionOptions& o) {
  Ort::SessionOptions options;
  options.SetIntraOpNumThreads(o.intra_op_threads);
  options.SetInterOpNumThreads(o.inter_op_threads);
  options.SetGraphOptimizationLevel(to_ort(o.optimization));
  options.SetExecutionMode(o.execution_mode == ExecutionMode::kParallel ? ORT_PARALLEL
                                                                        : ORT_SEQUENTIAL);
  // Key from onnxruntime_session_options_config_keys.h
  // (kOrtSessionOptionsConfigAllowIntraOpSpinning).
  options.AddConfigEntry("session.intra_op.allow_spinning", o.allow_spinning ? "1" : "0");
  options.AddConfigEntry("session.inter_op.allow_spinning", o.allow_spinning ? "1" : "0");
  if (o.memory_arena) {
    options.EnableCpuMemArena();
  } else {
    options.DisableCpuMemArena();
  }
  if (!o.profile_prefix.empty()) options.EnableProfiling(o.profile_prefix.c_str());
  if (!o.optimized_model.empty()) options.SetOptimizedModelFilePath(o.optimized_model.c_str());
  return options;
}

// ORT writes the optimized graph itself, straight to the path it is given. It is given a hidden
// sibling instead, renamed into place once the session exists, so a crash never leaves a torn
// file under the requested name.
class OptimizedModelFile {
 public:
  explicit OptimizedModelFile(SessionOptions& options) {
    if (options.optimized_model.empty()) return;
    final_ = options.optimized_model;
    // Same extension: ORT picks the format from it (.ort or ONNX).
    temp_ = temp_sibling(final_).string() + final_.extension().string();
    options.optimized_model = temp_.string();
  }
  ~OptimizedModelFile() {
    std::error_code ec;
    if (!final_.empty()) std::filesystem::remove(temp_, ec);
  }
  OptimizedModelFile(const OptimizedModelFile&) = delete;
  OptimizedModelFile& operator=(const OptimizedModelFile&) = delete;
  void commit() {
    if (final_.empty()) return;
    commit_file(temp_, final_);
    final_.clear();
  }

 private:
  std::filesystem::path final_, temp_;
};

TensorInfo describe(const std::string& name, const Ort::TypeInfo& type) {
  TensorInfo info{name, ElementType::kOther, {}, {}};
  if (type.GetONNXType() != ONNX_TYPE_TENSOR) return info;
  const auto tensor = type.GetTensorTypeAndShapeInfo();
  info.type = from_ort(tensor.GetElementType());
  info.shape = tensor.GetShape();
  for (const char* param : tensor.GetSymbolicDimensions()) info.dim_params.emplace_back(param);
  return info;
}

int64_t element_count(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

// Checks a shape against the rank and the static dims the model declares for input `name`, so
// that a wrong one is a message naming the input and both shapes, before ORT's own. Allocates
// only to throw: run_into calls it on the hot path.
void check_input_shape(const std::string& label, const std::vector<TensorInfo>& inputs,
                       std::string_view name, std::span<const int64_t> shape) {
  const auto info = std::find_if(inputs.begin(), inputs.end(),
                                 [&](const TensorInfo& t) { return t.name == name; });
  if (info == inputs.end())
    throw Error(fmt::format("{}: the model has no input '{}'", label, name));
  if (info->shape.empty()) return;  // no shape declared: ORT checks what it can
  bool fits = info->shape.size() == shape.size();
  for (size_t i = 0; fits && i < shape.size(); ++i) {
    fits = info->shape[i] < 0 || info->shape[i] == shape[i];
  }
  if (!fits) {
    throw Error(fmt::format("{}: input '{}' takes shape {}, got [{}]", label, name,
                            shape_text(*info), fmt::join(shape, ", ")));
  }
}

}  // namespace

GraphOptimization parse_graph_optimization(std::string_view name) {
  if (name == "disabled") return GraphOptimization::kDisabled;
  if (name == "basic") return GraphOptimization::kBasic;
  if (name == "extended") return GraphOptimization::kExtended;
  if (name == "all") return GraphOptimization::kAll;
  throw UsageError(
      fmt::format("unknown graph optimization '{}' (valid: disabled, basic, extended, all)", name));
}

ExecutionMode parse_execution_mode(std::string_view name) {
  if (name == "sequential") return ExecutionMode::kSequential;
  if (name == "parallel") return ExecutionMode::kParallel;
  throw UsageError(fmt::format("unknown execution mode '{}' (valid: sequential, parallel)", name));
}

std::string join_lines(std::string_view message) {
  constexpr std::string_view kBlank = " \t\r";
  std::string out;
  for (size_t pos = 0; pos <= message.size();) {
    const size_t end = std::min(message.find('\n', pos), message.size());
    std::string_view line = message.substr(pos, end - pos);
    const size_t first = line.find_first_not_of(kBlank);
    if (first != std::string_view::npos) {
      line = line.substr(first, line.find_last_not_of(kBlank) - first + 1);
      if (!out.empty()) out += "; ";
      out += line;
    }
    pos = end + 1;
  }
  return out;
}

std::string shape_text(const TensorInfo& info) {
  std::vector<std::string> dims;
  dims.reserve(info.shape.size());
  for (size_t i = 0; i < info.shape.size(); ++i) {
    if (i < info.dim_params.size() && !info.dim_params[i].empty()) {
      dims.push_back(info.dim_params[i]);
    } else {
      dims.push_back(info.shape[i] < 0 ? "?" : std::to_string(info.shape[i]));
    }
  }
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

std::string_view to_string(ElementType type) {
  switch (type) {
    case ElementType::kFloat:
      return "float";
    case ElementType::kInt64:
      return "int64";
    case ElementType::kOther:
      break;
  }
  return "other";
}

struct Session::Impl {
  std::string label;
  Ort::Session session{nullptr};
  Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  std::vector<std::string> all_output_names;

  void read_signature() {
    Ort::AllocatorWithDefaultOptions allocator;
    for (size_t i = 0; i < session.GetInputCount(); ++i) {
      inputs.push_back(
          describe(session.GetInputNameAllocated(i, allocator).get(), session.GetInputTypeInfo(i)));
    }
    for (size_t i = 0; i < session.GetOutputCount(); ++i) {
      outputs.push_back(describe(session.GetOutputNameAllocated(i, allocator).get(),
                                 session.GetOutputTypeInfo(i)));
      all_output_names.push_back(outputs.back().name);
    }
  }
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Session Session::open(const std::filesystem::path& path, const SessionOptions& options) {
  const std::string label = path.string();
  if (!std::filesystem::is_regular_file(path)) throw Error(label + ": no such model file");
  SessionOptions o = options;
  OptimizedModelFile optimized(o);
  auto impl = std::make_unique<Impl>();
  impl->label = label;
  ort_call(label, [&] {
    impl->session = Ort::Session(env(), path.c_str(), make_options(o));
    impl->read_signature();
  });
  optimized.commit();
  return Session(std::move(impl));
}

Session Session::from_bytes(std::string_view bytes, const SessionOptions& options,
                            const std::string& label) {
  SessionOptions o = options;
  OptimizedModelFile optimized(o);
  auto impl = std::make_unique<Impl>();
  impl->label = label;
  ort_call(label, [&] {
    impl->session = Ort::Session(env(), bytes.data(), bytes.size(), make_options(o));
    impl->read_signature();
  });
  optimized.commit();
  return Session(std::move(impl));
}

const std::vector<TensorInfo>& Session::inputs() const { return impl_->inputs; }
const std::vector<TensorInfo>& Session::outputs() const { return impl_->outputs; }
const std::string& Session::label() const { return impl_->label; }

std::vector<FloatOutput> Session::run(const std::vector<Int64Input>& inputs,
                                      const std::vector<std::string>& output_names) const {
  const auto& label = impl_->label;
  const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<const char*> in_names;
  std::vector<Ort::Value> in_values;
  for (const auto& in : inputs) {
    check_input_shape(label, impl_->inputs, in.name, in.shape);
    if (element_count(in.shape) != static_cast<int64_t>(in.data.size())) {
      throw Error(fmt::format("{}: input '{}' has {} elements, its shape [{}] needs {}", label,
                              in.name, in.data.size(), fmt::join(in.shape, ","),
                              element_count(in.shape)));
    }
    in_names.push_back(in.name.c_str());
    // ORT's API takes a non-const pointer but does not write to inputs.
    in_values.push_back(
        Ort::Value::CreateTensor<int64_t>(memory, const_cast<int64_t*>(in.data.data()),
                                          in.data.size(), in.shape.data(), in.shape.size()));
  }
  const auto& wanted = output_names.empty() ? impl_->all_output_names : output_names;
  std::vector<const char*> out_names;
  out_names.reserve(wanted.size());
  for (const auto& name : wanted) out_names.push_back(name.c_str());

  auto values = ort_call(label, [&] {
    return impl_->session.Run(Ort::RunOptions{nullptr}, in_names.data(), in_values.data(),
                              in_values.size(), out_names.data(), out_names.size());
  });
  std::vector<FloatOutput> outputs;
  for (size_t i = 0; i < values.size(); ++i) {
    const auto info = values[i].GetTensorTypeAndShapeInfo();
    if (info.GetElementType() != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
      throw Error(label + ": output '" + wanted[i] + "' is not a float tensor");
    }
    FloatOutput out{wanted[i], info.GetShape(), {}};
    const float* data = values[i].GetTensorData<float>();
    out.data.assign(data, data + info.GetElementCount());
    outputs.push_back(std::move(out));
  }
  return outputs;
}

void Session::run_into(std::span<const Int64View> inputs, const char* output, std::span<float> out,
                       std::span<const int64_t> out_shape) const {
  constexpr size_t kMaxInputs = 8;
  const auto& label = impl_->label;
  if (inputs.size() > kMaxInputs) throw Error(label + ": more than 8 inputs");
  const int64_t out_count =
      std::accumulate(out_shape.begin(), out_shape.end(), int64_t{1}, std::multiplies<>());
  if (out_count != static_cast<int64_t>(out.size())) {
    throw Error(fmt::format("{}: output buffer of {} floats for shape [{}]", label, out.size(),
                            fmt::join(out_shape, ",")));
  }
  // Fixed arrays, not vectors: wrapping our buffers is the only work before Run.
  std::array<const char*, kMaxInputs> names{};
  std::array<Ort::Value, kMaxInputs> values{
      Ort::Value(nullptr), Ort::Value(nullptr), Ort::Value(nullptr), Ort::Value(nullptr),
      Ort::Value(nullptr), Ort::Value(nullptr), Ort::Value(nullptr), Ort::Value(nullptr)};
  for (const auto& in : inputs) check_input_shape(label, impl_->inputs, in.name, in.shape);
  ort_call(label, [&] {
    for (size_t i = 0; i < inputs.size(); ++i) {
      names[i] = inputs[i].name;
      // ORT's API takes a non-const pointer but does not write to inputs.
      values[i] = Ort::Value::CreateTensor<int64_t>(
          impl_->cpu, const_cast<int64_t*>(inputs[i].data.data()), inputs[i].data.size(),
          inputs[i].shape.data(), inputs[i].shape.size());
    }
    Ort::Value result = Ort::Value::CreateTensor<float>(impl_->cpu, out.data(), out.size(),
                                                        out_shape.data(), out_shape.size());
    impl_->session.Run(Ort::RunOptions{nullptr}, names.data(), values.data(), inputs.size(),
                       &output, &result, 1);
  });
}

std::map<std::string, std::string> Session::metadata() const {
  return ort_call(impl_->label, [&] {
    Ort::AllocatorWithDefaultOptions allocator;
    const Ort::ModelMetadata meta = impl_->session.GetModelMetadata();
    std::map<std::string, std::string> result;
    for (const auto& key : meta.GetCustomMetadataMapKeysAllocated(allocator)) {
      result[key.get()] = meta.LookupCustomMetadataMapAllocated(key.get(), allocator).get();
    }
    return result;
  });
}

}  // namespace cola::runtime
