#include "config/sweep.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>

#include "core/error.h"

namespace cola::config {
namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? "" : std::string(s.substr(b, e - b + 1));
}

// "name(args)" → name and its arguments split at top-level commas; false when not a call.
bool split_call(const std::string& text, std::string& name, std::vector<std::string>& args) {
  const auto open = text.find('(');
  if (open == std::string::npos || text.back() != ')') return false;
  name = text.substr(0, open);
  args.clear();
  for (auto& a : split_top_level(std::string_view(text).substr(open + 1, text.size() - open - 2))) {
    args.push_back(trim(a));
  }
  return true;
}

double number(const Override& o, const std::string& text, bool& integral) {
  std::string t = text;
  if (const auto eq = t.find('='); eq != std::string::npos) t = trim(t.substr(eq + 1));  // step=
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (t.empty() || used != t.size()) {
    throw UsageError(
        fmt::format("invalid sweep '{}': range() argument '{}' is not a number", o.text, text));
  }
  integral = integral && t.find_first_of(".eE") == std::string::npos;
  return v;
}

std::vector<std::string> range_values(const Override& o, const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 3) {
    throw UsageError(
        fmt::format("invalid sweep '{}': range takes 1 to 3 arguments "
                    "(start, stop, step)",
                    o.text));
  }
  bool integral = true;
  std::vector<double> v;
  for (const auto& a : args) v.push_back(number(o, a, integral));
  const double start = v.size() > 1 ? v[0] : 0, stop = v.size() > 1 ? v[1] : v[0];
  const double step = v.size() > 2 ? v[2] : 1;
  if (step == 0) throw UsageError(fmt::format("invalid sweep '{}': range step is 0", o.text));
  // start + i*step (not repeated addition), so float ranges do not drift: 0.1+0.1+0.1 != 0.3.
  const double count = std::ceil((stop - start) / step - 1e-9);
  if (count <= 0) throw UsageError(fmt::format("invalid sweep '{}': the range is empty", o.text));
  if (count > 10000) throw UsageError(fmt::format("invalid sweep '{}': too many values", o.text));
  std::vector<std::string> out;
  for (int i = 0; i < static_cast<int>(count); ++i) {
    const double x = start + i * step;
    out.push_back(integral ? fmt::format("{}", static_cast<long long>(std::llround(x)))
                           : fmt::format("{}", std::round(x * 1e12) / 1e12));
  }
  return out;
}

std::string prefix(OverrideKind kind) {
  switch (kind) {
    case OverrideKind::add:
      return "+";
    case OverrideKind::force:
      return "++";
    case OverrideKind::remove:
      return "~";
    default:
      return "";
  }
}

}  // namespace

std::vector<std::string> sweep_values(const Override& o) {
  if (o.sweep.empty()) return {o.value};
  if (o.kind == OverrideKind::remove) {
    throw UsageError(fmt::format("invalid sweep '{}': a removal (~) cannot sweep", o.text));
  }
  std::string name;
  std::vector<std::string> args;
  // parse_override makes a one-element sweep only of range(...) and choice(...).
  if (o.sweep.size() == 1 && split_call(trim(o.sweep[0]), name, args)) {
    if (args.size() == 1 && args[0].empty()) args.clear();  // "range()"
    if (name == "range") return range_values(o, args);
  } else {
    args.clear();
    for (const auto& v : o.sweep) args.push_back(trim(v));
  }
  if (args.empty()) throw UsageError(fmt::format("invalid sweep '{}': no values", o.text));
  for (const auto& a : args) {
    if (a.empty()) throw UsageError(fmt::format("invalid sweep '{}': empty value", o.text));
    if (a.starts_with("range(") || a.starts_with("choice(")) {
      throw UsageError(
          fmt::format("invalid sweep '{}': '{}' cannot be nested in a list", o.text, a));
    }
  }
  return args;
}

std::vector<std::vector<std::string>> expand_sweep(const std::vector<std::string>& overrides) {
  std::vector<std::vector<std::string>> jobs{{}};
  for (const auto& text : overrides) {
    const Override o = parse_override(text);
    const auto values = o.sweep.empty() ? std::vector<std::string>{o.text} : sweep_values(o);
    std::vector<std::vector<std::string>> next;
    for (const auto& job : jobs) {  // earlier overrides vary slowest
      for (const auto& v : values) {
        next.push_back(job);
        next.back().push_back(o.sweep.empty() ? v : prefix(o.kind) + o.key + "=" + v);
      }
    }
    jobs = std::move(next);
  }
  return jobs;
}

MultirunPlan plan_multirun(const std::vector<std::string>& overrides,
                           std::chrono::system_clock::time_point now) {
  MultirunPlan plan;
  std::vector<std::string> task;
  for (const auto& text : overrides) {
    const Override o = parse_override(text);
    if (o.key == "hydra.sweep.dir") {
      if (!o.sweep.empty()) throw UsageError(fmt::format("'{}': the sweep dir cannot sweep", text));
      plan.dir = o.value;
    } else if (o.key == "hydra.run.dir") {
      throw UsageError(
          fmt::format("'{}': with -m each job runs in <sweep dir>/<n>; set "
                      "hydra.sweep.dir=... instead",
                      text));
    } else {
      task.push_back(text);
    }
  }
  if (plan.dir.empty()) {
    const auto tm = fmt::localtime(std::chrono::system_clock::to_time_t(now));
    plan.dir = std::filesystem::path("multirun") / fmt::format("{:%Y-%m-%d}", tm) /
               fmt::format("{:%H-%M-%S}", tm);
  }
  const auto jobs = expand_sweep(task);
  for (size_t i = 0; i < jobs.size(); ++i) {
    plan.jobs.push_back({static_cast<int>(i), plan.dir / std::to_string(i), jobs[i]});
  }
  return plan;
}

}  // namespace cola::config
