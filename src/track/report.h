#pragma once
// `cola report RUN`: one self-contained HTML page per run (inline SVG and a data: URI PNG, no
// scripts, no external assets): loss, accuracy and MCC curves per step and per epoch, the best
// epoch's confusion matrix and misclassified sentences, the config, and artifact hashes.
#include <filesystem>
#include <string>

namespace cola::track {

/// Renders the report of a run directory as HTML. Throws Error for a missing run directory or a
/// corrupt file in it (an event file is checked record by record).
std::string render_report(const std::filesystem::path& run_dir);

/// Writes render_report(run_dir) to `output` (default: <run_dir>/report.html) atomically and
/// returns the path written.
std::filesystem::path write_report(const std::filesystem::path& run_dir,
                                   const std::filesystem::path& output = {});

/// Standard base64 (RFC 4648, with padding), for data: URIs.
std::string base64_encode(const std::string& bytes);

}  // namespace cola::track
