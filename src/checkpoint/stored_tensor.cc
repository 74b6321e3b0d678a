#include "checkpoint/stored_tensor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/error.h"
#include "spec/half.h"

namespace cola::checkpoint {
namespace {

// Tensor bytes are copied as they are: the formats are little-endian, and so is every machine we
// build for.
static_assert(std::endian::native == std::endian::little, "checkpoint I/O assumes little-endian");

std::string describe(const StoredTensor& t) {
  return fmt::format("{}: tensor '{}'", t.where, t.name);
}

// Calls f(element_index) for every element of the view, in row-major order.
template <class F>
void for_each_index(const StoredTensor& t, F&& f) {
  const size_t rank = t.shape.size();
  if (t.numel() == 0) return;
  if (t.contiguous()) {
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i) f(t.offset + i);
    return;
  }
  // An odometer over the dimensions, the last one fastest.
  std::vector<int64_t> index(rank, 0);
  int64_t at = t.offset;
  const int64_t inner = rank == 0 ? 1 : t.shape[rank - 1];
  const int64_t inner_stride = rank == 0 ? 0 : t.strides[rank - 1];
  for (;;) {
    for (int64_t i = 0; i < inner; ++i) f(at + i * inner_stride);
    size_t d = rank - 1;
    for (;;) {
      if (d == 0) return;
      --d;
      if (++index[d] < t.shape[d]) {
        at += t.strides[d];
        break;
      }
      at -= (t.shape[d] - 1) * t.strides[d];
      index[d] = 0;
    }
  }
}

template <class Out, class In>
void convert(const StoredTensor& t, std::span<Out> out, Out (*f)(In)) {
  const char* base = t.storage.data();
  size_t i = 0;
  for_each_index(t, [&](int64_t element) {
    In v;
    std::memcpy(&v, base + static_cast<size_t>(element) * sizeof(In), sizeof(In));
    out[i++] = f(v);
  });
}

void check_count(const StoredTensor& t, size_t got) {
  if (static_cast<int64_t>(got) != t.numel()) {
    throw Error(fmt::format("{}: {} elements requested for {}", describe(t), got, t.numel()));
  }
}

}  // namespace

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (const int64_t dim : shape) n *= dim;  // bounded by check_layout
  return n;
}

std::vector<int64_t> contiguous_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

bool StoredTensor::contiguous() const {
  // Strides of size-1 dimensions do not matter (torch gives them arbitrary values).
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

std::string shape_text(std::span<const int64_t> shape) {
  return fmt::format("[{}]", fmt::join(shape, ","));
}

void check_layout(const StoredTensor& t) {
  const auto where = describe(t);
  if (t.strides.size() != t.shape.size()) {
    throw Error(
        fmt::format("{}: {} strides for {} dimensions", where, t.strides.size(), t.shape.size()));
  }
  const size_t element = spec::dtype_size(t.dtype);
  if (element == 0 || t.storage.size() % element != 0) {
    throw Error(fmt::format("{}: its storage holds {} bytes, not a whole number of {}-byte {}",
                            where, t.storage.size(), element, spec::dtype_name(t.dtype)));
  }
  const auto storage_elements = static_cast<int64_t>(t.storage.size() / element);
  if (t.offset < 0) throw Error(fmt::format("{}: negative storage offset {}", where, t.offset));
  int64_t numel = 1;
  int64_t last = t.offset;  // the highest element index the view touches
  bool empty = false;
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (t.shape[i] < 0 || t.strides[i] < 0) {
      throw Error(fmt::format("{}: negative size or stride (size {}, stride {})", where,
                              shape_text(t.shape), shape_text(t.strides)));
    }
    int64_t reach = 0;
    if (t.shape[i] == 0) empty = true;
    if (__builtin_mul_overflow(numel, t.shape[i], &numel) ||
        (t.shape[i] > 0 && (__builtin_mul_overflow(t.shape[i] - 1, t.strides[i], &reach) ||
                            __builtin_add_overflow(last, reach, &last)))) {
      throw Error(fmt::format("{}: size {} with stride {} overflows", where, shape_text(t.shape),
                              shape_text(t.strides)));
    }
  }
  if (!empty && last >= storage_elements) {
    throw Error(fmt::format(
        "{}: size {}, stride {} and offset {} reach element {}, but its storage holds only {} {} "
        "elements ({} bytes)",
        where, shape_text(t.shape), shape_text(t.strides), t.offset, last, storage_elements,
        spec::dtype_name(t.dtype), t.storage.size()));
  }
}

void read_f32(const StoredTensor& t, std::span<float> out, bool release_as_read) {
  check_count(t, out.size());
  switch (t.dtype) {
    case spec::DType::kF32:
      if (t.contiguous()) {
        // In chunks, so that the pages already copied can go before the next ones come in.
        constexpr size_t kChunk = size_t{8} << 20;  // bytes
        const char* from = t.storage.data() + static_cast<size_t>(t.offset) * sizeof(float);
        auto* to = reinterpret_cast<char*>(out.data());
        const size_t bytes = out.size() * sizeof(float);
        for (size_t at = 0; at < bytes; at += kChunk) {
          const size_t n = std::min(kChunk, bytes - at);
          std::memcpy(to + at, from + at, n);
          if (release_as_read && t.file) t.file->release({from + at, n});
        }
        return;
      }
      return convert<float, float>(
          t, out, +[](float v) { return v; });
    case spec::DType::kF16:
      return convert<float, uint16_t>(
          t, out, +[](uint16_t v) { return spec::f16_to_f32(v); });
    case spec::DType::kBF16:
      return convert<float, uint16_t>(
          t, out, +[](uint16_t v) { return spec::bf16_to_f32(v); });
    case spec::DType::kF64:
      return convert<float, double>(
          t, out, +[](double v) { return static_cast<float>(v); });
    default:
      throw Error(
          fmt::format("{}: dtype {} cannot be loaded as floats (supported: F32, F16, BF16, F64)",
                      describe(t), spec::dtype_name(t.dtype)));
  }
}

void read_i64(const StoredTensor& t, std::span<int64_t> out) {
  check_count(t, out.size());
  switch (t.dtype) {
    case spec::DType::kI64:
      return convert<int64_t, int64_t>(
          t, out, +[](int64_t v) { return v; });
    case spec::DType::kI32:
      return convert<int64_t, int32_t>(
          t, out, +[](int32_t v) { return int64_t{v}; });
    case spec::DType::kI16:
      return convert<int64_t, int16_t>(
          t, out, +[](int16_t v) { return int64_t{v}; });
    case spec::DType::kI8:
      return convert<int64_t, int8_t>(
          t, out, +[](int8_t v) { return int64_t{v}; });
    case spec::DType::kU8:
    case spec::DType::kBool:
      return convert<int64_t, uint8_t>(
          t, out, +[](uint8_t v) { return int64_t{v}; });
    default:
      throw Error(fmt::format(
          "{}: dtype {} cannot be loaded as integers (supported: I64, I32, I16, I8, U8, BOOL)",
          describe(t), spec::dtype_name(t.dtype)));
  }
}

std::string_view contiguous_bytes(const StoredTensor& t, std::string& scratch) {
  const size_t element = spec::dtype_size(t.dtype);
  const size_t bytes = static_cast<size_t>(t.numel()) * element;
  if (t.contiguous()) return t.storage.substr(static_cast<size_t>(t.offset) * element, bytes);
  scratch.resize(bytes);
  size_t at = 0;
  for_each_index(t, [&](int64_t i) {
    std::memcpy(scratch.data() + at, t.storage.data() + static_cast<size_t>(i) * element, element);
    at += element;
  });
  return scratch;
}

void release(const StoredTensor& t) {
  // Around, not just inside: a fault at the storage's edge may have mapped a large folio that
  // reaches into its neighbours, whose turn may come much later.
  if (t.file) t.file->release_around(t.storage);
}

const StoredTensor* Weights::find(std::string_view name) const {
  const auto it =
      std::lower_bound(tensors.begin(), tensors.end(), name,
                       [](const StoredTensor& t, std::string_view n) { return t.name < n; });
  return it != tensors.end() && it->name == name ? &*it : nullptr;
}

void Weights::sort_and_check_unique() {
  std::sort(tensors.begin(), tensors.end(),
            [](const StoredTensor& a, const StoredTensor& b) { return a.name < b.name; });
  for (size_t i = 1; i < tensors.size(); ++i) {
    if (tensors[i].name == tensors[i - 1].name) {
      throw Error(fmt::format("{}: tensor '{}' appears twice ({} and {})", source, tensors[i].name,
                              tensors[i - 1].where, tensors[i].where));
    }
  }
}

}  // namespace cola::checkpoint
