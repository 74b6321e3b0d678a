#pragma once
// The label set: names by id (config `data.labels`), parsed from either a name or a decimal id.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cola::data {

class LabelSet {
 public:
  /// Names by id; throws UsageError when there are none, or one is empty or repeated.
  explicit LabelSet(std::vector<std::string> names);

  /// The id of a label written as a name ("acceptable") or an id ("1"); nullopt if neither.
  /// A name wins over an id, so labels named "1","0" still mean what they say.
  std::optional<int64_t> parse(std::string_view token) const;
  /// True when 0 <= id < size().
  bool contains(int64_t id) const { return id >= 0 && id < size(); }
  /// "0 (unacceptable), 1 (acceptable)": the valid values, for error messages.
  std::string describe() const;
  /// The number of labels.
  int64_t size() const { return static_cast<int64_t>(names_.size()); }
  /// The names by id.
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

}  // namespace cola::data
