#pragma once
// Small string helpers shared by error messages across modules.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cola {

/// Levenshtein edit distance (insert, delete, substitute each cost 1).
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` by edit distance, if it is close enough to be a plausible typo
/// (distance ≤ max(2, |word|/3)); ties go to the first candidate.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

/// Joins items with a separator: join({"a","b"}, ", ") == "a, b".
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace cola
