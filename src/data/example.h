#pragma once
// What the readers return: labelled sentences that remember their source line, plus an account of
// the rows that on_bad_row=skip dropped.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cola::data {

/// One labelled sentence.
struct Example {
  std::string sentence;  // UTF-8 as it appears in the file (not normalised or trimmed)
  int64_t label = 0;     // index into config::DataConfig::labels
  int64_t line = 0;      // 1-based line in the source file, for messages
};

/// The rows of one file.
struct Split {
  std::filesystem::path path;             // the file they were read from
  std::vector<Example> examples;          // good rows, in file order
  int64_t skipped = 0;                    // bad rows dropped under on_bad_row=skip
  std::vector<std::string> skip_reasons;  // "file:line: reason" for the first few skipped rows
};

}  // namespace cola::data
