// describe(): a Python-repr-like rendering that stays short whatever the value is: it stops
// writing once past the budget, shows cycles and deep nesting as [...], and never recurses more
// than kMaxNesting levels.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "pickle/text.h"
#include "pickle/value.h"

namespace cola::pickle {
namespace {

constexpr size_t kMaxNesting = 6;        // deeper containers print as [...]
constexpr size_t kMaxDecimalBytes = 64;  // longer ints print as <int of N bytes>

// Python's repr of a float: the shortest text that reads back the same, with ".0" on integers.
std::string python_float(double d) {
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".eEna") == std::string::npos) s += ".0";  // "3" -> "3.0"; inf, nan stay
  return s;
}

class Describer {
 public:
  explicit Describer(size_t max_chars) : max_chars_(max_chars) {}

  void value(const Value& v) {
    if (full()) return;
    switch (v.kind) {
      case Kind::kNone:
        out_ += "None";
        return;
      case Kind::kBool:
        out_ += v.boolean ? "True" : "False";
        return;
      case Kind::kInt:
        out_ += fmt::format("{}", v.integer);
        return;
      case Kind::kBigInt:
        out_ += v.text.size() <= kMaxDecimalBytes ? detail::long_to_decimal(v.text)
                                                  : fmt::format("<int of {} bytes>", v.text.size());
        return;
      case Kind::kFloat:
        out_ += python_float(v.real);
        return;
      case Kind::kString:
        quoted(v.text, "");
        return;
      case Kind::kBytes:
        quoted(v.text, "b");
        return;
      case Kind::kGlobal:
        out_ += v.written_name();
        return;
      case Kind::kObject:
        out_ += fmt::format("<{} object>", v.name);
        return;
      case Kind::kExternal:
        out_ += v.external ? v.external->describe() : "<external>";
        return;
      default:
        container(v);
    }
  }

  std::string finish() && {
    if (out_.size() > max_chars_) {
      size_t cut = max_chars_ >= 3 ? max_chars_ - 3 : max_chars_;
      // Never split a UTF-8 sequence: back up to the start of the character.
      while (cut > 0 && (static_cast<unsigned char>(out_[cut]) & 0xC0) == 0x80) --cut;
      out_.resize(cut);
      if (max_chars_ >= 3) out_ += "...";
    }
    return std::move(out_);
  }

 private:
  bool full() const { return out_.size() > max_chars_; }

  void container(const Value& v) {
    const bool seen = std::find(path_.begin(), path_.end(), &v) != path_.end();
    if (seen || path_.size() >= kMaxNesting) {
      out_ += v.kind == Kind::kList ? "[...]" : v.kind == Kind::kTuple ? "(...)" : "{...}";
      return;
    }
    path_.push_back(&v);
    switch (v.kind) {
      case Kind::kList:
        sequence(v.items, "[", "]");
        break;
      case Kind::kTuple:
        sequence(v.items, "(", v.items.size() == 1 ? ",)" : ")");
        break;
      case Kind::kSet:
        if (v.items.empty())
          out_ += "set()";
        else
          sequence(v.items, "{", "}");
        break;
      case Kind::kFrozenSet:
        if (v.items.empty())
          out_ += "frozenset()";
        else
          sequence(v.items, "frozenset({", "})");
        break;
      default:
        dict(v);
    }
    path_.pop_back();
  }

  void sequence(const std::vector<Value*>& items, std::string_view open, std::string_view close) {
    out_ += open;
    for (size_t i = 0; i < items.size() && !full(); ++i) {
      if (i > 0) out_ += ", ";
      value(*items[i]);
    }
    out_ += close;
  }

  // {k: v}; a dict subclass as OrderedDict({k: v}), or OrderedDict() when empty.
  void dict(const Value& v) {
    if (!v.name.empty()) {
      out_ += v.name;
      out_ += '(';
    }
    if (!v.name.empty() && v.entries.empty()) {
      out_ += ')';
      return;
    }
    out_ += '{';
    for (size_t i = 0; i < v.entries.size() && !full(); ++i) {
      if (i > 0) out_ += ", ";
      value(*v.entries[i].first);
      out_ += ": ";
      value(*v.entries[i].second);
    }
    out_ += '}';
    if (!v.name.empty()) out_ += ')';
  }

  // Python's repr quoting: single quotes unless the text holds one and no double quote.
  void quoted(std::string_view text, std::string_view prefix) {
    const bool is_bytes = !prefix.empty();
    const char quote =
        text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos
            ? '"'
            : '\'';
    out_ += prefix;
    out_ += quote;
    for (size_t i = 0; i < text.size() && !full(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c == '\\' || c == static_cast<unsigned char>(quote)) {
        out_ += '\\';
        out_ += static_cast<char>(c);
      } else if (c == '\n') {
        out_ += "\\n";
      } else if (c == '\r') {
        out_ += "\\r";
      } else if (c == '\t') {
        out_ += "\\t";
      } else if (c < 0x20 || c == 0x7F || (is_bytes && c >= 0x80)) {
        out_ += fmt::format("\\x{:02x}", c);
      } else {
        out_ += static_cast<char>(c);  // printable ASCII, or part of a UTF-8 character of a str
      }
    }
    out_ += quote;
  }

  size_t max_chars_;
  std::string out_;
  std::vector<const Value*> path_;  // the containers being printed, to spot cycles
};

}  // namespace

std::string describe(const Value& v, size_t max_chars) {
  Describer d(max_chars);
  d.value(v);
  return std::move(d).finish();
}

}  // namespace cola::pickle
