#pragma once
// Writes torch.save files for tests: the zip format (torch >= 1.6) and the legacy one, laid out as
// torch/serialization.py writes them, with protocol-2 pickles. The golden files in
// ../shared/golden/pytorch (written by real PyTorch) are the independent reference for the
// reader; this writer makes the variations no golden covers (strides, shared storages, dtypes,
// broken records), each one changed in a single place.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cola::test {

/// One tensor: a view (offset, size, stride, in elements) of storage `key`.
struct SavedTensor {
  std::string name;
  std::string key;  // its storage's key
  int64_t offset = 0;
  std::vector<int64_t> size;
  std::vector<int64_t> stride;  // empty: contiguous
  std::string declared_type;    // "": its storage's type; else the id declares this one
};

/// A SavedTensor in one line.
inline SavedTensor tensor(std::string name, std::string key, int64_t offset,
                          std::vector<int64_t> size, std::vector<int64_t> stride = {},
                          std::string declared_type = {}) {
  return {std::move(name), std::move(key),    offset,
          std::move(size), std::move(stride), std::move(declared_type)};
}

/// One storage: raw little-endian bytes of `numel` elements of torch.<type>.
struct SavedStorage {
  std::string type = "FloatStorage";
  std::string bytes;
  int64_t numel = -1;  // as the persistent id declares it; -1: bytes / element size
};

struct TorchSave {
  std::vector<SavedTensor> tensors;              // the state dict, in this order
  std::map<std::string, SavedStorage> storages;  // by key
  std::string folder = "archive";                // the zip's top-level folder
  std::optional<std::string> byteorder = "little";
  std::vector<std::string> omit_records;  // zip: storage keys whose data/<key> is left out
  /// Wraps the state dict as a Lightning checkpoint does: {"epoch", "global_step",
  /// "pytorch-lightning_version", "state_dict", "hparams_name", "hyper_parameters":
  /// {"model_name": ...}}, when set.
  std::optional<std::string> lightning_model_name;
  /// Appended to the state dict entries as ("key", <raw pickle of one value>), e.g. to plant a
  /// call of a global: see pickle_call().
  std::vector<std::pair<std::string, std::string>> extra_pickled;
  /// Replaces the whole data.pkl (zip) with these bytes, e.g. a hostile pickle.
  std::optional<std::string> data_pkl;
};

/// The zip format.
std::string torch_save_zip(const TorchSave& spec);
/// The legacy format (five pickles, then each storage as an int64 element count and its bytes).
std::string torch_save_legacy(const TorchSave& spec);

/// Protocol-2 bytes of `module.name(arg)` with one string argument (REDUCE): what a hostile
/// pickle plants.
std::string pickle_call(const std::string& module, const std::string& name, const std::string& arg);

/// Little-endian bytes of floats.
std::string float_bytes(const std::vector<float>& values);

}  // namespace cola::test
