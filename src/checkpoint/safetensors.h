#pragma once
// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header
//   {"<name>": {"dtype": "F32", "shape": [2, 64], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>"}}
// then the raw little-endian tensor bytes; offsets are relative to the start of that data section.
// Torch-free: the reader treats every file as untrusted and checks everything before any byte of
// tensor data is touched; model/weights.h converts to and from torch tensors.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/stored_tensor.h"
#include "core/mapped_file.h"
#include "spec/dtype.h"

namespace cola::checkpoint::safetensors {

// The dtypes live in spec/dtype.h (torch.save files share them); spelled here as before.
using spec::DType;
using spec::dtype_name;
using spec::dtype_size;
using spec::parse_dtype;

/// One tensor's header entry, validated.
struct TensorInfo {
  std::string name;
  spec::DType dtype = spec::DType::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // byte offset in the data section
  uint64_t end = 0;    // one past the last byte
  int64_t numel() const;
};

/// Largest header accepted (the reference implementation's limit): a longer one is an attack or a
/// corrupt file, not a model.
inline constexpr uint64_t kMaxHeaderBytes = 100'000'000;

/// A whole safetensors file in memory, parsed and validated.
class File {
 public:
  /// Validates `bytes` as a safetensors file. Every problem throws cola::Error naming `source` and
  /// the tensor: header length, JSON, dtype, shape, offsets (inside the data, non-overlapping, and
  /// holding exactly shape x dtype bytes), metadata.
  static File parse(std::string bytes, std::string source);
  /// Maps and parses a file; `source` in messages is the path. Tensor bytes stay in the mapping.
  static File read(const std::filesystem::path& path);
  /// Parses a file already in memory or mapped.
  static File parse(std::shared_ptr<const MappedFile> file);

  /// Tensors sorted by name.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  /// The tensor called `name`, or nullptr.
  const TensorInfo* find(std::string_view name) const;
  /// The raw bytes of a tensor of this file.
  std::string_view data(const TensorInfo& tensor) const;
  /// The "__metadata__" strings (empty when absent).
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  /// The file name used in messages.
  const std::string& source() const { return source_; }

  /// Converts a floating tensor (F32, F16, BF16, F64) to F32 into `out` (numel() floats). Throws
  /// Error naming the tensor for other dtypes or a wrong output size.
  void to_f32(const TensorInfo& tensor, std::span<float> out) const;

  /// A tensor as the format-independent view the loaders take (checkpoint/stored_tensor.h).
  StoredTensor stored(const TensorInfo& tensor) const;
  /// Every tensor of the file, with the metadata.
  Weights weights() const;

 private:
  File() = default;
  std::shared_ptr<const MappedFile> file_;
  std::string_view bytes_;  // file_'s bytes
  size_t data_start_ = 0;   // 8 + header length
  std::string source_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

/// A tensor to write: raw little-endian bytes, which must hold exactly shape x dtype bytes.
struct TensorView {
  std::string name;
  spec::DType dtype = spec::DType::kF32;
  std::vector<int64_t> shape;
  std::string_view bytes;
};

/// The whole file as bytes: tensors laid out in name order, header padded with spaces to a
/// multiple of 8 bytes (as Hugging Face's writer does, so tensor data stays aligned). Throws Error
/// for duplicate or reserved names and for byte counts that do not match the shape.
std::string serialize(std::vector<TensorView> tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// Writes serialize()'s layout to `path` atomically, streaming the tensor bytes (no second copy
/// of the weights in memory).
void write(const std::filesystem::path& path, std::vector<TensorView> tensors,
           const std::map<std::string, std::string>& metadata = {});

}  // namespace cola::checkpoint::safetensors
