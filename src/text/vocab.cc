#include "text/vocab.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/file.h"
#include "text/unicode.h"

namespace cola::text {

Vocab Vocab::load(const std::filesystem::path& path) {
  return parse(read_file(path), path.string());
}

Vocab Vocab::parse(std::string_view content, const std::string& name) {
  Vocab vocab;
  vocab.arena_.reserve(content.size());
  if (content.starts_with("\xEF\xBB\xBF")) content.remove_prefix(3);  // a UTF-8 BOM
  size_t line = 0;
  while (!content.empty()) {
    const size_t end = content.find('\n');
    std::string_view token = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    if (token.ends_with('\r')) token.remove_suffix(1);  // CRLF files from Windows editors
    vocab.add(token, name, ++line);
  }
  vocab.find_specials(name);
  return vocab;
}

Vocab Vocab::from_tokens(const std::vector<std::string>& tokens, const std::string& name) {
  Vocab vocab;
  size_t line = 0;
  for (const auto& token : tokens) vocab.add(token, name, ++line);
  vocab.find_specials(name);
  return vocab;
}

std::string_view Vocab::token(int64_t id) const {
  const auto i = static_cast<size_t>(id);
  const size_t end = i + 1 < offsets_.size() ? offsets_[i + 1] : arena_.size();
  return std::string_view(arena_).substr(offsets_[i], end - offsets_[i]);
}

void Vocab::add(std::string_view token, const std::string& name, size_t line) {
  if (token.empty()) throw Error(fmt::format("{}:{}: empty token", name, line));
  if (find_invalid_utf8(token) != std::string_view::npos) {
    throw Error(fmt::format("{}:{}: token is not valid UTF-8", name, line));
  }
  if (const int32_t first = find(token); first >= 0) {
    throw Error(fmt::format("{}:{}: duplicate token '{}' (first at line {})", name, line, token,
                            first + 1));
  }
  const auto offset = static_cast<uint32_t>(arena_.size());
  const auto length = static_cast<uint32_t>(token.size());
  const auto id = static_cast<int32_t>(offsets_.size());
  arena_.append(token);
  offsets_.push_back(offset);
  tokens_.insert(arena_, offset, length, id);
  if (token.size() > kContinuationPrefix.size() && token.starts_with(kContinuationPrefix)) {
    const auto prefix = static_cast<uint32_t>(kContinuationPrefix.size());
    continuations_.insert(arena_, offset + prefix, length - prefix, id);
  }
}

void Vocab::find_specials(const std::string& name) {
  int64_t* slots[] = {&special_.pad, &special_.unk, &special_.cls, &special_.sep, &special_.mask};
  for (size_t i = 0; i < std::size(kSpecialTokens); ++i) {
    const int32_t id = find(kSpecialTokens[i]);
    if (id < 0) throw Error(fmt::format("{}: missing special token '{}'", name, kSpecialTokens[i]));
    *slots[i] = id;
  }
}

}  // namespace cola::text
