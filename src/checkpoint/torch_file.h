#pragma once
// torch.save files (pytorch_model.bin, Lightning .ckpt, any torch.save of tensors), read in C++
// with no Python and no code execution. Both formats:
//   zip (torch >= 1.6): <folder>/data.pkl, <folder>/data/<key> raw storages (stored, aligned),
//       optional <folder>/byteorder; the folder name is whatever the writer chose;
//   legacy (< 1.6, and Lightning under torch 1.6.0): five pickles in a row (magic number,
//       protocol 1001, sys_info, the object, the storage keys), then each storage as an int64
//       element count and its raw bytes.
// The object is unpickled by cola::pickle under an allowlist, as torch.load(weights_only=True)
// does: tensors, storages, OrderedDict, torch.Size... are interpreted; any other global stays an
// inert placeholder (so a Lightning checkpoint's callback classes and hyper-parameters load as
// data), and a call to anything else, which Python's pickle would run, refuses the file.
// Tensors are views into the mapped file (checkpoint/stored_tensor.h): nothing is copied.
// Torch-free.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/stored_tensor.h"
#include "core/mapped_file.h"
#include "pickle/unpickler.h"

namespace cola::checkpoint::torch_file {

enum class Format { kZip, kLegacy };

/// An unpickled torch.save file: the object tree, with every tensor as a pickle::External that
/// as_tensor() reads. The tensors' bytes stay in the mapping, which the file keeps alive.
class TorchFile {
 public:
  /// Maps and reads `path`. Throws Error "<path>: ..." naming the fault: not a torch.save file,
  /// a truncated archive, a refused global, a missing or short storage, a tensor outside its
  /// storage, an unsupported dtype or tensor kind.
  static TorchFile read(const std::filesystem::path& path);
  /// Reads a file already mapped (or in memory); messages name file->label().
  static TorchFile parse(std::shared_ptr<const MappedFile> file);

  /// The object torch.save was given (a state dict, a Lightning checkpoint dict...).
  const pickle::Value& root() const { return *root_; }
  Format format() const { return format_; }
  /// The file's name in messages.
  const std::string& source() const { return file_->label(); }
  /// How many tensors the file holds, wherever they are in the object.
  size_t tensor_count() const { return tensors_; }

 private:
  TorchFile() = default;
  std::shared_ptr<const MappedFile> file_;
  std::unique_ptr<pickle::Document> doc_;  // owns every value; root_ points into it
  const pickle::Value* root_ = nullptr;
  Format format_ = Format::kZip;
  size_t tensors_ = 0;
};

/// True when `bytes` starts like a torch.save file of either format.
bool looks_like_torch_save(std::string_view bytes);

/// The tensor a value holds (a tensor or a Parameter), or nullptr for any other value.
const StoredTensor* as_tensor(const pickle::Value& value);

/// The entries of a dict, or of an object of a dict subclass (Lightning's AttributeDict);
/// empty for anything else.
const std::vector<std::pair<pickle::Value*, pickle::Value*>>& dict_entries(
    const pickle::Value& value);
/// The value under string key `key` of a dict (or dict-like object), or nullptr.
const pickle::Value* lookup(const pickle::Value& dict, std::string_view key);

/// The state dict in a file: the root when it maps names to tensors (pytorch_model.bin), else
/// the first of root['state_dict'] (Lightning, most training scripts), 'model_state_dict',
/// 'model', 'module' that does. `key` is set to where it was found ("" for the root). Throws
/// Error listing the root's keys when there is none.
const pickle::Value& find_state_dict(const TorchFile& file, std::string* key = nullptr);

/// The tensors of a state dict as Weights (names as stored). Entries that are not tensors (a
/// Lightning module's non-tensor extra state) are skipped and named in `skipped`.
Weights state_dict_weights(const TorchFile& file, const pickle::Value& state_dict,
                           std::vector<std::string>* skipped = nullptr);

}  // namespace cola::checkpoint::torch_file
