#pragma once
// Training sentences for `cola vocab build`. Deliberately tiny: the data module owns the real CoLA
// readers; this only tells a plain text file from a raw CoLA TSV.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace cola::text {

/// True when every non-empty line has exactly 4 tab-separated fields with a 0/1 second field.
bool looks_like_cola_tsv(std::string_view content);

/// The sentences of a file: each non-empty line, or the 4th column of a raw CoLA TSV. Throws Error
/// naming the file and line on invalid UTF-8.
std::vector<std::string> read_sentences(const std::filesystem::path& path);

}  // namespace cola::text
