#pragma once
// `cola runs`: one row per run directory, sortable and filterable by metric.
#include <filesystem>
#include <string>
#include <vector>

#include "track/run_info.h"

namespace cola::track {

/// A filter such as "valid/mcc>0.1": a key (see run_metric, or "status"), an operator
/// (> >= < <= == !=) and a value: a number for a metric, a word for status (== != only), a date
/// prefix for date ("date>=2026-11-27").
struct RunFilter {
  std::string key;
  std::string op;
  std::string value;
};

/// Throws UsageError (suggesting the closest) unless `key` is one `cola runs` can sort or filter
/// by: date, status, epochs, duration, or a key of a validation record (valid/mcc, ...).
void check_run_key(const std::string& key);

/// Parses a filter; throws UsageError quoting it when it has no operator or no value, or a
/// non-numeric value for a metric.
RunFilter parse_run_filter(const std::string& text);

/// True if `run` passes the filter. A run without the metric never passes.
bool run_matches(const RunInfo& run, const RunFilter& filter);

struct RunsQuery {
  std::vector<std::filesystem::path> roots;  // searched recursively for run directories
  std::vector<RunFilter> filters;            // all must pass
  std::string sort_key = "date";             // "date", "status", or a metric (run_metric)
  bool descending = false;                   // reverse the order
};

/// Loads, filters and sorts the runs under the roots. Runs missing the sort metric go last.
std::vector<RunInfo> query_runs(const RunsQuery& query);

/// The table printed by `cola runs` (a header line and one line per run).
std::string format_runs_table(const std::vector<RunInfo>& runs);

}  // namespace cola::track
