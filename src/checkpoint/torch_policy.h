#pragma once
// The allowlist that torch.save files are unpickled under (internal to torch_file.cc), after
// PyTorch's torch/_weights_only_unpickler.py: what a call in the pickle may construct.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checkpoint/stored_tensor.h"
#include "pickle/unpickler.h"

namespace cola::checkpoint::torch_file::detail {

/// A storage as a persistent id names it: ('storage', torch.FloatStorage, key, location, numel).
/// Its bytes are bound once the whole file is read (the legacy format stores them after the
/// object).
struct StorageRecord final : pickle::External {
  spec::DType dtype = spec::DType::kF32;
  std::string type_name;   // "torch.FloatStorage", for messages
  std::string key;         // the record's name: data/<key> in a zip, a key in the legacy list
  int64_t numel = 0;       // elements, as the persistent id declares
  std::string_view bytes;  // bound later
  // Legacy storage views (torch < 0.4): elements [view_offset, view_offset + numel) of `root`.
  std::shared_ptr<StorageRecord> root;
  int64_t view_offset = 0;
  std::string describe() const override;
};

/// A tensor made by torch._utils._rebuild_tensor_v2: a view of a StorageRecord.
struct TensorRecord final : pickle::External {
  std::shared_ptr<StorageRecord> storage;
  StoredTensor tensor;  // storage bytes, name and where filled in when bound
  std::string describe() const override;
};

class TorchPolicy final : public pickle::Policy {
 public:
  explicit TorchPolicy(std::string source) : source_(std::move(source)) {}

  pickle::Value* call(pickle::Document& doc, const pickle::Value& callable,
                      const pickle::Value& args, const pickle::Where& where) override;
  pickle::Value* persistent_load(pickle::Document& doc, const pickle::Value& pid,
                                 const pickle::Where& where) override;

  /// Storages by key (a key named twice is one storage, as torch.load caches it), in order.
  const std::map<std::string, std::shared_ptr<StorageRecord>>& storages() const {
    return storages_;
  }
  /// Every tensor made, in order.
  const std::vector<std::shared_ptr<TensorRecord>>& tensors() const { return tensors_; }

 private:
  pickle::Value* rebuild_tensor(pickle::Document& doc, const pickle::Value& args,
                                const pickle::Where& where);
  std::shared_ptr<StorageRecord> storage(const pickle::Value& type, const std::string& key,
                                         int64_t numel, const pickle::Where& where);

  std::string source_;
  std::map<std::string, std::shared_ptr<StorageRecord>> storages_;
  // Values hold their External as const; this finds the record (root or view) to bind later.
  std::map<const StorageRecord*, std::shared_ptr<StorageRecord>> by_address_;
  std::vector<std::shared_ptr<TensorRecord>> tensors_;
};

/// The StorageRecord or TensorRecord a value holds, or nullptr.
const StorageRecord* as_storage(const pickle::Value& value);
const TensorRecord* as_tensor_record(const pickle::Value& value);

}  // namespace cola::checkpoint::torch_file::detail
