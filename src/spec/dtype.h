#pragma once
// Element types of stored tensors, named as safetensors names them ("F32", "BF16", "I64"...).
// torch.save files map onto the same set (torch.FloatStorage is F32, torch.LongStorage I64).
#include <cstddef>
#include <optional>
#include <string_view>

namespace cola::spec {

/// Every dtype of the safetensors format (so that sizes of all valid files can be checked).
/// Loading into the model supports the floating ones (converted to F32) and I64.
enum class DType {
  kBool,
  kU8,
  kI8,
  kI16,
  kU16,
  kF16,
  kBF16,
  kI32,
  kU32,
  kF32,
  kF64,
  kI64,
  kU64,
  kF8E5M2,
  kF8E4M3
};

/// "F32", "BF16", ...
std::string_view dtype_name(DType dtype);
/// The dtype spelled `name`, or nullopt for a name the format does not define.
std::optional<DType> parse_dtype(std::string_view name);
/// Bytes per element.
size_t dtype_size(DType dtype);
/// Every known dtype name, comma-separated, for messages.
std::string_view dtype_names();

}  // namespace cola::spec
