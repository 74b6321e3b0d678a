#include "track/dvc.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"

namespace cola::track {
namespace fs = std::filesystem;
namespace {

// Decodes one UTF-8 sequence at s[i] (advancing i); invalid bytes decode as themselves, which
// Python could never have produced from a valid path, so any choice is as good.
uint32_t next_code_point(const std::string& s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i++]);
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
  uint32_t cp = extra == 3 ? (b & 0x07U) : extra == 2 ? (b & 0x0FU) : extra == 1 ? (b & 0x1FU) : b;
  for (; extra > 0 && i < s.size(); --extra)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3FU);
  return cp;
}

// Python's json encoder with ensure_ascii=True: only ' '..'~' pass through, '"' and '\\' and the
// usual control characters get short escapes, everything else is \uXXXX (UTF-16 surrogate pairs
// above U+FFFF), in lowercase hex.
std::string python_json_string(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const uint32_t cp = next_code_point(s, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp <= 0x7E) {
      out += static_cast<char>(cp);
    } else if (cp > 0xFFFF) {
      const uint32_t v = cp - 0x10000;
      out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
    } else {
      out += fmt::format("\\u{:04x}", cp);
    }
  }
  return out + "\"";
}

// A YAML scalar: plain when safe, else double-quoted (a JSON string is valid YAML).
std::string yaml_scalar(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '/';
  });
  return plain ? s : python_json_string(s);
}

}  // namespace

std::string dvc_dir_listing(std::vector<DvcEntry> entries) {
  // Python sorts str by code point, which for UTF-8 is byte order; char_traits<char> compares
  // as unsigned char, so std::string's operator< agrees.
  std::sort(entries.begin(), entries.end(),
            [](const DvcEntry& a, const DvcEntry& b) { return a.relpath < b.relpath; });
  std::string out = "[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ", ";
    out += fmt::format("{{\"md5\": {}, \"relpath\": {}}}", python_json_string(entries[i].md5),
                       python_json_string(entries[i].relpath));
  }
  return out + "]";
}

DvcHash dvc_hash(const fs::path& artifact) {
  DvcHash h;
  if (fs::is_regular_file(artifact)) {
    const auto d = core::digest_file(artifact, core::DigestAlgorithm::md5);
    h.md5 = d.hex;
    h.size = d.size;
    return h;
  }
  if (!fs::is_directory(artifact)) throw Error(artifact.string() + ": no such file or directory");
  std::vector<DvcEntry> entries;
  for (const auto& e : fs::recursive_directory_iterator(artifact)) {
    if (!e.is_regular_file()) continue;
    const auto d = core::digest_file(e.path(), core::DigestAlgorithm::md5);
    entries.push_back({e.path().lexically_relative(artifact).generic_string(), d.hex});
    h.size += d.size;
  }
  h.nfiles = static_cast<int64_t>(entries.size());
  h.dir_listing = dvc_dir_listing(std::move(entries));
  h.md5 = core::digest_hex(h.dir_listing, core::DigestAlgorithm::md5) + ".dir";
  return h;
}

fs::path write_dvc_file(const fs::path& artifact) {
  const fs::path clean = artifact.lexically_normal();
  const fs::path target = clean.has_filename() ? clean : clean.parent_path();
  const DvcHash h = dvc_hash(target);
  std::string yaml = fmt::format("outs:\n- md5: {}\n  size: {}\n", h.md5, h.size);
  if (h.nfiles >= 0) yaml += fmt::format("  nfiles: {}\n", h.nfiles);
  yaml += fmt::format("  hash: md5\n  path: {}\n", yaml_scalar(target.filename().string()));
  fs::path dvc_file = target;
  dvc_file += ".dvc";
  write_file_atomic(dvc_file, yaml);
  return dvc_file;
}

}  // namespace cola::track
