#include "data/label_set.h"

#include <charconv>
#include <set>

#include "core/error.h"

namespace cola::data {

LabelSet::LabelSet(std::vector<std::string> names) : names_(std::move(names)) {
  if (names_.empty()) throw UsageError("data.labels: at least one label name is required");
  std::set<std::string> seen;
  for (const auto& name : names_) {
    if (name.empty()) throw UsageError("data.labels: a label name is empty");
    if (!seen.insert(name).second) {
      throw UsageError("data.labels: label name '" + name + "' appears twice");
    }
  }
}

std::optional<int64_t> LabelSet::parse(std::string_view token) const {
  for (int64_t id = 0; id < size(); ++id) {
    if (names_[id] == token) return id;
  }
  if (token.empty() || token.front() < '0' || token.front() > '9') return std::nullopt;
  int64_t id = -1;
  const char* end = token.data() + token.size();
  const auto [ptr, ec] = std::from_chars(token.data(), end, id);
  if (ec != std::errc() || ptr != end || !contains(id)) return std::nullopt;
  return id;
}

std::string LabelSet::describe() const {
  std::string out;
  for (int64_t id = 0; id < size(); ++id) {
    if (id > 0) out += ", ";
    out += std::to_string(id) + " (" + names_[id] + ")";
  }
  return out;
}

}  // namespace cola::data
