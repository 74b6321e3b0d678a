#pragma once
// A tensor as a checkpoint file stores it, whatever the format: a strided view of a storage whose
// bytes lie in the mapped file. safetensors tensors are contiguous views of their own range;
// torch.save tensors are views (offset, size, stride) of a storage record that several tensors
// may share. Nothing is copied until a tensor is read into its destination. Torch-free.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapped_file.h"
#include "spec/dtype.h"

namespace cola::checkpoint {

struct StoredTensor {
  std::string name;                        // as loaders know it (after any renaming)
  spec::DType dtype = spec::DType::kF32;   // of the storage's elements
  std::vector<int64_t> shape;              // one size per dimension
  std::vector<int64_t> strides;            // in elements, one per dimension
  int64_t offset = 0;                      // index of the first element in the storage
  std::string_view storage;                // the storage's bytes, inside `file`
  std::shared_ptr<const MappedFile> file;  // keeps `storage` alive
  std::string where;  // where it is stored, for messages ("file: storage 'data/3'")

  /// Elements in the view (1 for a 0-d tensor).
  int64_t numel() const;
  /// True when the view is row-major without gaps (strides of contiguous_strides(shape)).
  bool contiguous() const;
};

/// Row-major strides for `shape`.
std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape);

/// Checks the view against its storage: strides per dimension, no negative sizes or strides, no
/// overflow, every element inside the storage, a storage that is a whole number of elements.
/// Throws Error naming the tensor, its layout and the storage.
void check_layout(const StoredTensor& t);

/// Copies `t` in row-major order into `out` (numel() floats), converting F32, F16, BF16 and F64;
/// other dtypes throw Error naming the tensor. Storage bytes need no alignment. With
/// `release_as_read`, a contiguous tensor's pages of the mapped file are dropped from memory as
/// the copy passes them (see release()), so reading never holds more than a few MB of the file.
void read_f32(const StoredTensor& t, std::span<float> out, bool release_as_read = false);
/// Likewise for integer tensors (I64, I32, I16, I8, U8, BOOL) into int64.
void read_i64(const StoredTensor& t, std::span<int64_t> out);
/// The tensor's bytes in row-major order, in its own dtype: a view of the storage when the
/// tensor is contiguous, else gathered into `scratch`.
std::string_view contiguous_bytes(const StoredTensor& t, std::string& scratch);
/// Drops the tensor's pages of the mapped file from memory once it has been copied out (see
/// MappedFile::release): loading then needs about the model's size, not the file's on top.
void release(const StoredTensor& t);

/// "[2,64]".
std::string shape_text(std::span<const int64_t> shape);

/// A checkpoint's tensors, from one file or from every shard of a sharded checkpoint.
struct Weights {
  std::string source;                           // what they were read from, for messages
  std::vector<StoredTensor> tensors;            // sorted by name; names unique
  std::map<std::string, std::string> metadata;  // safetensors "__metadata__", if any

  /// The tensor called `name`, or nullptr.
  const StoredTensor* find(std::string_view name) const;
  /// Sorts by name and throws Error naming a name that appears twice (e.g. in two shards).
  void sort_and_check_unique();
};

}  // namespace cola::checkpoint
