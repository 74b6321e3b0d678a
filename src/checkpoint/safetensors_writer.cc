// The writing half of checkpoint/safetensors.h: the layout Hugging Face's writer produces (metadata
// first, header padded with spaces to 8 bytes, data in header order), so files diff cleanly
// against theirs.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "checkpoint/safetensors.h"
#include "core/error.h"
#include "core/file.h"

namespace cola::checkpoint::safetensors {
namespace {

constexpr size_t kAlignment = 8;

// Sorts and checks the tensors, and returns the 8-byte length prefix plus the padded header.
std::string plan(std::vector<TensorView>& tensors,
                 const std::map<std::string, std::string>& metadata) {
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorView& a, const TensorView& b) { return a.name < b.name; });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorView& t = tensors[i];
    if (t.name == "__metadata__" || t.name.empty()) {
      throw Error(fmt::format("safetensors: '{}' cannot be a tensor name", t.name));
    }
    if (i > 0 && tensors[i - 1].name == t.name) {
      throw Error(fmt::format("safetensors: tensor '{}' given twice", t.name));
    }
    uint64_t needed = spec::dtype_size(t.dtype);
    for (const int64_t dim : t.shape) {
      if (dim < 0) throw Error(fmt::format("safetensors: tensor '{}' has a negative dim", t.name));
      needed *= static_cast<uint64_t>(dim);
    }
    if (needed != t.bytes.size()) {
      throw Error(fmt::format("safetensors: tensor '{}': {} bytes given, {} [{}] needs {}", t.name,
                              t.bytes.size(), spec::dtype_name(t.dtype), fmt::join(t.shape, ","),
                              needed));
    }
    header[t.name] = {{"dtype", spec::dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + needed}}};
    offset += needed;
  }
  std::string text = header.dump();
  // Pad so that the data section starts 8-byte aligned (8 + N is a multiple of 8).
  text.append((kAlignment - text.size() % kAlignment) % kAlignment, ' ');
  std::string prefix(8, '\0');
  const uint64_t n = text.size();
  for (size_t i = 0; i < 8; ++i) prefix[i] = static_cast<char>((n >> (8 * i)) & 0xffu);
  return prefix + text;
}

}  // namespace

std::string serialize(std::vector<TensorView> tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::string out = plan(tensors, metadata);
  for (const auto& t : tensors) out.append(t.bytes);
  return out;
}

void write(const std::filesystem::path& path, std::vector<TensorView> tensors,
           const std::map<std::string, std::string>& metadata) {
  with_context(path.string(), [&] {
    const std::string header = plan(tensors, metadata);
    AtomicFileWriter out(path);
    out.write(header);
    for (const auto& t : tensors) out.write(t.bytes);
    out.commit();
  });
}

}  // namespace cola::checkpoint::safetensors
