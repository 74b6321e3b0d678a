#include "checkpoint/safetensors.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace cola::checkpoint::safetensors {
namespace {

// The format is little-endian; so are all the machines we build for, which lets tensor bytes be
// copied as they are.
static_assert(std::endian::native == std::endian::little, "safetensors I/O assumes little-endian");

using Json = nlohmann::json;
constexpr char kMetadataKey[] = "__metadata__";
constexpr size_t kLengthBytes = 8;  // the header length prefix

// A JSON value for an error message, cut short: a hostile header may hold megabytes in one value.
std::string brief(const Json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// Element count and byte size of a shape, or nullopt when either overflows 64 bits.
std::optional<uint64_t> byte_size(const std::vector<int64_t>& shape, spec::DType dtype) {
  uint64_t total = spec::dtype_size(dtype);
  for (const int64_t dim : shape) {
    if (dim < 0 || __builtin_mul_overflow(total, static_cast<uint64_t>(dim), &total)) {
      return std::nullopt;
    }
  }
  return total;
}

// Reads a JSON integer into uint64 (or int64 for shapes); false for anything else.
bool as_u64(const Json& v, uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    out = static_cast<uint64_t>(v.get<int64_t>());
    return true;
  }
  return false;
}

class HeaderParser {
 public:
  HeaderParser(const std::string& source, uint64_t data_size)
      : source_(source), data_size_(data_size) {}

  TensorInfo parse_entry(const std::string& name, const Json& entry) const {
    const auto where = fmt::format("{}: tensor '{}'", source_, name);
    if (!entry.is_object()) {
      throw Error(where + ": entry must be an object with dtype, shape and data_offsets, got " +
                  brief(entry));
    }
    TensorInfo t;
    t.name = name;
    t.dtype = parse_entry_dtype(where, entry);
    t.shape = parse_shape(where, entry);
    parse_offsets(where, entry, t);
    const auto needed = byte_size(t.shape, t.dtype);
    if (!needed) {
      throw Error(fmt::format("{}: shape {} of {} is too large", where, shape_text(t.shape),
                              spec::dtype_name(t.dtype)));
    }
    if (t.end - t.begin != *needed) {
      throw Error(fmt::format("{}: data_offsets [{}, {}] hold {} bytes but {} {} needs {}", where,
                              t.begin, t.end, t.end - t.begin, spec::dtype_name(t.dtype),
                              shape_text(t.shape), *needed));
    }
    if (t.end > data_size_) {
      throw Error(fmt::format(
          "{}: data_offsets [{}, {}] run past the end of the data section ({} bytes; truncated "
          "file?)",
          where, t.begin, t.end, data_size_));
    }
    return t;
  }

 private:
  static spec::DType parse_entry_dtype(const std::string& where, const Json& entry) {
    const auto it = entry.find("dtype");
    if (it == entry.end() || !it->is_string()) {
      throw Error(where + ": 'dtype' is missing or not a string");
    }
    const auto dtype = spec::parse_dtype(it->get<std::string>());
    if (!dtype) {
      throw Error(
          fmt::format("{}: unknown dtype {} (known: {})", where, brief(*it), spec::dtype_names()));
    }
    return *dtype;
  }

  static std::vector<int64_t> parse_shape(const std::string& where, const Json& entry) {
    const auto it = entry.find("shape");
    if (it == entry.end() || !it->is_array()) {
      throw Error(where + ": 'shape' is missing or not an array");
    }
    std::vector<int64_t> shape;
    for (const auto& dim : *it) {
      uint64_t value = 0;
      if (!as_u64(dim, value) ||
          value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        throw Error(
            fmt::format("{}: 'shape' must hold non-negative integers, got {}", where, brief(*it)));
      }
      shape.push_back(static_cast<int64_t>(value));
    }
    return shape;
  }

  static void parse_offsets(const std::string& where, const Json& entry, TensorInfo& t) {
    const auto it = entry.find("data_offsets");
    if (it == entry.end() || !it->is_array() || it->size() != 2 || !as_u64((*it)[0], t.begin) ||
        !as_u64((*it)[1], t.end)) {
      throw Error(where + ": 'data_offsets' must be two non-negative integers [begin, end], got " +
                  (it == entry.end() ? std::string("nothing") : brief(*it)));
    }
    if (t.end < t.begin) {
      throw Error(
          fmt::format("{}: data_offsets [{}, {}] end before they begin", where, t.begin, t.end));
    }
  }

  const std::string& source_;
  uint64_t data_size_;
};

uint64_t read_header_length(std::string_view bytes, const std::string& source) {
  if (bytes.size() < kLengthBytes) {
    throw Error(fmt::format("{}: file is {} bytes, too short for a safetensors header", source,
                            bytes.size()));
  }
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), kLengthBytes);
  if (n > kMaxHeaderBytes) {
    throw Error(fmt::format(
        "{}: header length {} is over the {}-byte limit (corrupt, or not a safetensors file)",
        source, n, kMaxHeaderBytes));
  }
  if (n > bytes.size() - kLengthBytes) {
    throw Error(fmt::format("{}: header length {} runs past the end of the file ({} bytes)", source,
                            n, bytes.size()));
  }
  return n;
}

// Parses the JSON header; duplicate top-level keys (which nlohmann would silently merge) are
// errors, since two entries for one name mean the file is not what it claims.
Json parse_header_json(std::string_view header, const std::string& source) {
  std::set<std::string> keys;
  std::string duplicate;
  const Json::parser_callback_t on_event = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key && duplicate.empty() &&
        !keys.insert(parsed.get<std::string>()).second) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  Json json;
  try {
    json = Json::parse(header, on_event);
  } catch (const Json::exception& e) {
    throw Error(fmt::format("{}: header is not valid JSON: {}", source, e.what()));
  }
  if (!json.is_object()) {
    throw Error(fmt::format("{}: header must be a JSON object, got {}", source, json.type_name()));
  }
  if (!duplicate.empty()) {
    throw Error(fmt::format("{}: tensor '{}' appears twice in the header", source, duplicate));
  }
  return json;
}

std::map<std::string, std::string> parse_metadata(const Json& value, const std::string& source) {
  std::map<std::string, std::string> metadata;
  if (!value.is_object()) throw Error(source + ": '__metadata__' must be an object of strings");
  for (const auto& [key, v] : value.items()) {
    if (!v.is_string()) {
      throw Error(fmt::format("{}: '__metadata__' value of '{}' must be a string, got {}", source,
                              key, brief(v)));
    }
    metadata[key] = v.get<std::string>();
  }
  return metadata;
}

// Overlapping ranges would let two tensors alias one another's bytes. Empty tensors overlap
// nothing.
void check_overlaps(const std::vector<TensorInfo>& tensors, const std::string& source) {
  std::vector<const TensorInfo*> by_offset;
  for (const auto& t : tensors) {
    if (t.end > t.begin) by_offset.push_back(&t);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i) {
    const TensorInfo& a = *by_offset[i - 1];
    const TensorInfo& b = *by_offset[i];
    if (b.begin < a.end) {
      throw Error(fmt::format("{}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap", source, a.name,
                              a.begin, a.end, b.name, b.begin, b.end));
    }
  }
}

}  // namespace

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (const int64_t dim : shape) n *= dim;  // cannot overflow: checked against the file size
  return n;
}

File File::parse(std::string bytes, std::string source) {
  return parse(MappedFile::from_bytes(std::move(bytes), std::move(source)));
}

File File::parse(std::shared_ptr<const MappedFile> file) {
  File out;
  out.file_ = std::move(file);
  out.bytes_ = out.file_->bytes();
  out.source_ = out.file_->label();
  const uint64_t header_size = read_header_length(out.bytes_, out.source_);
  out.data_start_ = kLengthBytes + header_size;
  const Json header = parse_header_json(out.bytes_.substr(kLengthBytes, header_size), out.source_);
  const HeaderParser parser(out.source_, out.bytes_.size() - out.data_start_);
  for (const auto& [name, entry] : header.items()) {  // nlohmann objects iterate in key order
    if (name == kMetadataKey) {
      out.metadata_ = parse_metadata(entry, out.source_);
    } else {
      out.tensors_.push_back(parser.parse_entry(name, entry));
    }
  }
  check_overlaps(out.tensors_, out.source_);
  return out;
}

File File::read(const std::filesystem::path& path) { return parse(MappedFile::open(path)); }

const TensorInfo* File::find(std::string_view name) const {
  const auto it =
      std::lower_bound(tensors_.begin(), tensors_.end(), name,
                       [](const TensorInfo& t, std::string_view n) { return t.name < n; });
  return it != tensors_.end() && it->name == name ? &*it : nullptr;
}

std::string_view File::data(const TensorInfo& tensor) const {
  // Offsets were checked against the data section in parse().
  return bytes_.substr(data_start_ + tensor.begin, tensor.end - tensor.begin);
}

void File::to_f32(const TensorInfo& tensor, std::span<float> out) const {
  read_f32(stored(tensor), out);
}

StoredTensor File::stored(const TensorInfo& tensor) const {
  return {tensor.name, tensor.dtype, tensor.shape, contiguous_strides(tensor.shape),
          0,           data(tensor), file_,        source_};
}

Weights File::weights() const {
  Weights w{source_, {}, metadata_};
  w.tensors.reserve(tensors_.size());
  for (const auto& t : tensors_) w.tensors.push_back(stored(t));  // already sorted and unique
  return w;
}

}  // namespace cola::checkpoint::safetensors
