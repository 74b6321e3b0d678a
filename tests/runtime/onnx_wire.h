#pragma once
// Edits a serialized ONNX model at the protobuf wire level, for tests that need a variant of a
// stored model (the seed's export with a static batch axis) without libonnx, which only torch
// builds have, and without Python at test time. Field numbers are onnx.proto's:
//   ModelProto.graph = 7; GraphProto.input = 11, output = 12; ValueInfoProto.type = 2;
//   TypeProto.tensor_type = 1; TypeProto.Tensor.shape = 2; TensorShapeProto.dim = 1;
//   Dimension.dim_value = 1 (int64), dim_param = 2 (string).
// Every other field is copied byte for byte.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cola::test {

namespace wire {

inline uint64_t read_varint(std::string_view bytes, size_t& pos) {
  uint64_t value = 0;
  for (int shift = 0; pos < bytes.size() && shift < 64; shift += 7) {
    const auto byte = static_cast<uint8_t>(bytes[pos++]);
    value |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80u) == 0) return value;
  }
  throw std::runtime_error("onnx_wire: truncated varint");
}

inline std::string varint(uint64_t v) {
  std::string out;
  for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7F) | 0x80);
  return out + static_cast<char>(v);
}

inline std::string length_delimited(int number, std::string_view payload) {
  return varint((uint64_t(number) << 3) | 2) + varint(payload.size()) + std::string(payload);
}

// Calls f(number, payload) for each length-delimited field and g(raw bytes) for any other field.
template <class F, class G>
void for_each_field(std::string_view message, F&& f, G&& g) {
  for (size_t pos = 0; pos < message.size();) {
    const size_t start = pos;
    const uint64_t tag = read_varint(message, pos);
    const int number = static_cast<int>(tag >> 3);
    switch (tag & 7) {
      case 0:  // varint
        read_varint(message, pos);
        break;
      case 1:  // fixed64
        pos += 8;
        break;
      case 5:  // fixed32
        pos += 4;
        break;
      case 2: {
        const uint64_t length = read_varint(message, pos);
        if (length > message.size() - pos) throw std::runtime_error("onnx_wire: truncated field");
        f(number, message.substr(pos, length));
        pos += length;
        continue;
      }
      default:
        throw std::runtime_error("onnx_wire: unsupported wire type");
    }
    if (pos > message.size()) throw std::runtime_error("onnx_wire: truncated field");
    g(message.substr(start, pos - start));
  }
}

// Rewrites the length-delimited fields numbered `number` of `message` with `edit`.
template <class E>
std::string edit_fields(std::string_view message, int number, E&& edit) {
  std::string out;
  for_each_field(
      message,
      [&](int n, std::string_view payload) {
        out += length_delimited(n, n == number ? edit(payload) : std::string(payload));
      },
      [&](std::string_view raw) { out += raw; });
  return out;
}

}  // namespace wire

/// `model` with every dimension named `dim_param` in the graph's inputs and outputs made the
/// static `value`: the seed's [batch_size, 128] becomes [value, 128].
inline std::string with_static_dim(std::string_view model, std::string_view dim_param,
                                   int64_t value) {
  using wire::edit_fields;
  const auto dimension = [&](std::string_view dim) {
    bool named = false;
    wire::for_each_field(
        dim, [&](int n, std::string_view s) { named = named || (n == 2 && s == dim_param); },
        [](std::string_view) {});
    return named ? wire::varint(1 << 3) + wire::varint(static_cast<uint64_t>(value))
                 : std::string(dim);
  };
  const auto value_info = [&](std::string_view info) {
    return edit_fields(info, 2, [&](std::string_view type) {
      return edit_fields(type, 1, [&](std::string_view tensor) {
        return edit_fields(
            tensor, 2, [&](std::string_view shape) { return edit_fields(shape, 1, dimension); });
      });
    });
  };
  return edit_fields(model, 7, [&](std::string_view graph) {
    return edit_fields(edit_fields(graph, 11, value_info), 12, value_info);
  });
}

}  // namespace cola::test
