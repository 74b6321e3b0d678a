#include "checkpoint/torch_policy.h"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <utility>

#include "core/error.h"

namespace cola::checkpoint::torch_file::detail {
namespace {

using pickle::Kind;
using pickle::Value;

// torch.<Name>Storage → element type (torch/storage.py's legacy typed storages).
constexpr std::array<std::pair<std::string_view, spec::DType>, 10> kStorageTypes = {{
    {"FloatStorage", spec::DType::kF32},
    {"DoubleStorage", spec::DType::kF64},
    {"HalfStorage", spec::DType::kF16},
    {"BFloat16Storage", spec::DType::kBF16},
    {"LongStorage", spec::DType::kI64},
    {"IntStorage", spec::DType::kI32},
    {"ShortStorage", spec::DType::kI16},
    {"CharStorage", spec::DType::kI8},
    {"ByteStorage", spec::DType::kU8},
    {"BoolStorage", spec::DType::kBool},
}};

std::optional<spec::DType> storage_dtype(const Value& type) {
  if (type.kind != Kind::kGlobal) return std::nullopt;
  // Files saved from a GPU name torch.cuda.*Storage; torch.load maps them to the CPU as we do.
  if (type.module == "torch" || type.module == "torch.cuda") {
    for (const auto& [name, dtype] : kStorageTypes) {
      if (type.name == name) return dtype;
    }
  }
  if (type.module == "torch.storage" &&
      (type.name == "UntypedStorage" || type.name == "_UntypedStorage")) {
    return spec::DType::kU8;
  }
  return std::nullopt;
}

// Data constructors that weights_only also admits and that build nothing we use: kept as inert
// objects, so that a checkpoint whose callback or hyper-parameter state holds a numpy scalar
// still loads.
bool is_inert_data(const Value& g) {
  const bool multiarray =
      g.module == "numpy.core.multiarray" || g.module == "numpy._core.multiarray";
  return (multiarray && (g.name == "scalar" || g.name == "_reconstruct")) ||
         (g.module == "numpy" && (g.name == "dtype" || g.name == "ndarray"));
}

bool is_int(const Value* v) { return v != nullptr && v->kind == Kind::kInt; }

const Value& arg(const Value& args, size_t i) { return *args.items[i]; }

std::vector<int64_t> int_tuple(const Value& v, const char* what, const pickle::Where& where) {
  if (v.kind != Kind::kTuple && v.kind != Kind::kList) {
    throw Error(fmt::format("{}: tensor {} must be a tuple of integers, got {}", where.text(), what,
                            pickle::describe(v, 60)));
  }
  std::vector<int64_t> out;
  out.reserve(v.items.size());
  for (const Value* item : v.items) {
    if (!is_int(item)) {
      throw Error(fmt::format("{}: tensor {} must be a tuple of integers, got {}", where.text(),
                              what, pickle::describe(v, 60)));
    }
    out.push_back(item->integer);
  }
  return out;
}

}  // namespace

std::string StorageRecord::describe() const {
  return fmt::format("<{} '{}' of {} elements>", type_name, key, numel);
}

std::string TensorRecord::describe() const {
  return fmt::format("<tensor {} {}>", spec::dtype_name(tensor.dtype), shape_text(tensor.shape));
}

const StorageRecord* as_storage(const Value& value) {
  return value.kind == Kind::kExternal ? dynamic_cast<const StorageRecord*>(value.external.get())
                                       : nullptr;
}

const TensorRecord* as_tensor_record(const Value& value) {
  return value.kind == Kind::kExternal ? dynamic_cast<const TensorRecord*>(value.external.get())
                                       : nullptr;
}

std::shared_ptr<StorageRecord> TorchPolicy::storage(const Value& type, const std::string& key,
                                                    int64_t numel, const pickle::Where& where) {
  const auto dtype = storage_dtype(type);
  if (!dtype) {
    throw Error(fmt::format(
        "{}: storage '{}' has type {}: not a supported storage type (torch.FloatStorage, "
        "DoubleStorage, HalfStorage, BFloat16Storage, LongStorage, IntStorage, ShortStorage, "
        "CharStorage, ByteStorage, BoolStorage)",
        where.text(), key, pickle::describe(type, 60)));
  }
  if (numel < 0) {
    throw Error(fmt::format("{}: storage '{}' declares {} elements", where.text(), key, numel));
  }
  auto& record = storages_[key];
  if (!record) {
    record = std::make_shared<StorageRecord>();
    record->dtype = *dtype;
    record->type_name = type.qualified_name();
    record->key = key;
    record->numel = numel;
    by_address_[record.get()] = record;
  } else if (record->dtype != *dtype || record->numel != numel) {
    // torch.load would reuse the first declaration and misread the second tensor's bytes.
    throw Error(fmt::format(
        "{}: storage '{}' is declared twice, as {} of {} elements and as {} "
        "of {}: a dtype or element-size mismatch",
        where.text(), key, record->type_name, record->numel, type.qualified_name(), numel));
  }
  return record;
}

Value* TorchPolicy::persistent_load(pickle::Document& doc, const Value& pid,
                                    const pickle::Where& where) {
  const auto& items = pid.items;
  if (pid.kind != Kind::kTuple || items.empty() || items[0]->kind != Kind::kString) {
    throw Error(fmt::format("{}: persistent id {} is not a ('storage', ...) tuple", where.text(),
                            pickle::describe(pid, 80)));
  }
  if (items[0]->text == "module") {
    throw Error(where.text() +
                ": the file pickles a whole nn.Module (torch.save(model)), whose loading runs "
                "its code; save model.state_dict() instead");
  }
  // zip: ('storage', type, key, location, numel); legacy adds view_metadata.
  const bool shaped = items[0]->text == "storage" && (items.size() == 5 || items.size() == 6) &&
                      items[2]->kind == Kind::kString && items[3]->kind == Kind::kString &&
                      is_int(items[4]);
  if (!shaped) {
    throw Error(fmt::format("{}: persistent id {} is not ('storage', type, key, location, numel)",
                            where.text(), pickle::describe(pid, 80)));
  }
  auto root = storage(*items[1], items[2]->text, items[4]->integer, where);
  if (items.size() == 6 && items[5]->kind != Kind::kNone) {
    const Value& view = *items[5];  // (view_key, offset, size), in elements
    if (view.kind != Kind::kTuple || view.items.size() != 3 || !is_int(view.items[1]) ||
        !is_int(view.items[2]) || view.items[1]->integer < 0 || view.items[2]->integer < 0) {
      throw Error(fmt::format("{}: storage view {} is not (key, offset, size)", where.text(),
                              pickle::describe(view, 80)));
    }
    auto slice = std::make_shared<StorageRecord>(*root);
    slice->key = root->key + "[view]";
    slice->root = root;
    slice->view_offset = view.items[1]->integer;
    slice->numel = view.items[2]->integer;
    by_address_[slice.get()] = slice;
    return doc.make_external(std::move(slice));
  }
  return doc.make_external(std::move(root));
}

Value* TorchPolicy::rebuild_tensor(pickle::Document& doc, const Value& args,
                                   const pickle::Where& where) {
  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks
  // [, metadata]); the v1 _rebuild_tensor has the first four.
  if (args.kind != Kind::kTuple || args.items.size() < 4 || as_storage(arg(args, 0)) == nullptr ||
      !is_int(args.items[1])) {
    throw Error(
        fmt::format("{}: _rebuild_tensor_v2 expects (storage, offset, size, stride, ...), "
                    "got {}",
                    where.text(), pickle::describe(args, 120)));
  }
  auto record = std::make_shared<TensorRecord>();
  const StorageRecord* storage = as_storage(arg(args, 0));
  const auto found = by_address_.find(storage);
  if (found == by_address_.end()) {
    throw Error(where.text() + ": a tensor's storage was not made by this file");
  }
  record->storage = found->second;
  auto& t = record->tensor;
  t.dtype = storage->dtype;
  t.offset = args.items[1]->integer;
  t.shape = int_tuple(arg(args, 2), "size", where);
  t.strides = int_tuple(arg(args, 3), "stride", where);
  if (t.shape.size() != t.strides.size()) {
    throw Error(fmt::format("{}: tensor size {} and stride {} differ in rank", where.text(),
                            shape_text(t.shape), shape_text(t.strides)));
  }
  tensors_.push_back(record);
  return doc.make_external(std::move(record));
}

Value* TorchPolicy::call(pickle::Document& doc, const Value& callable, const Value& args,
                         const pickle::Where& where) {
  if (callable.kind != Kind::kGlobal) return Policy::call(doc, callable, args, where);
  const std::string& m = callable.module;
  const std::string& n = callable.name;
  const size_t argc = args.kind == Kind::kTuple ? args.items.size() : 0;
  if (m == "torch._utils" && (n == "_rebuild_tensor_v2" || n == "_rebuild_tensor")) {
    return rebuild_tensor(doc, args, where);
  }
  if (m == "torch._utils" && (n == "_rebuild_parameter" || n == "_rebuild_parameter_with_state")) {
    // (data, requires_grad, backward_hooks[, state]): a Parameter is its data for loading.
    if (argc < 1 || as_tensor_record(arg(args, 0)) == nullptr) {
      throw Error(where.text() + ": " + n + " expects a tensor first");
    }
    return args.items[0];
  }
  if (m == "torch._tensor" && n == "_rebuild_from_type_v2") {
    // (func, new_type, args, state): how tensor subclasses pickle; rebuild with func.
    if (argc < 3) throw Error(where.text() + ": _rebuild_from_type_v2 expects 4 arguments");
    return call(doc, arg(args, 0), arg(args, 2), where);
  }
  if (m == "torch.jit._pickle" &&
      (n == "restore_type_tag" || n == "build_intlist" || n == "build_doublelist" ||
       n == "build_boollist" || n == "build_tensorlist")) {
    // LibTorch's C++ pickler (torch::pickle_save, TorchScript) tags typed containers with these;
    // torch/jit/_pickle.py defines each as returning its first argument.
    if (argc < 1) throw Error(where.text() + ": " + n + " expects a value");
    return args.items[0];
  }
  if (m == "torch" && n == "Size") {
    Value* size = doc.make_tuple(argc == 1 ? arg(args, 0).items : std::vector<Value*>{});
    int_tuple(*size, "torch.Size", where);
    return size;
  }
  if (m == "torch" && n == "device") {
    return doc.make_string(argc >= 1 && arg(args, 0).is_string() ? arg(args, 0).text : "cpu");
  }
  if (m == "torch._utils" && n.starts_with("_rebuild_")) {
    throw Error(
        fmt::format("{}: {}.{}: only dense tensors are supported, not sparse, quantized, "
                    "meta or device-specific ones",
                    where.text(), m, n));
  }
  if (is_inert_data(callable)) {
    // The Document owns `args`; the policy interface passes it const only to say it is not
    // changed here.
    Value* object = doc.make_object(callable);
    object->args = const_cast<Value*>(&args);
    doc.adopt(*object, args);
    return object;
  }
  return Policy::call(doc, callable, args, where);
}

}  // namespace cola::checkpoint::torch_file::detail
