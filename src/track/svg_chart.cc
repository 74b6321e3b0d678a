#include "track/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cola::track {
namespace {

constexpr double kW = 560, kH = 300;                                // the viewBox, in px
constexpr double kLeft = 60, kRight = 16, kTop = 34, kBottom = 44;  // plot margins
constexpr size_t kMarkAtMost = 40;  // mark points individually up to this many

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about five ticks over `span`.
double tick_step(double span) {
  const double raw = span / 5;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void widen() {  // a flat series still needs a visible axis
    if (hi - lo < 1e-12) {
      lo -= 0.5;
      hi += 0.5;
    }
  }
};

std::string axes(const Range& x, const Range& y, const std::string& x_label) {
  const auto px = [&](double v) {
    return kLeft + (v - x.lo) / (x.hi - x.lo) * (kW - kLeft - kRight);
  };
  const auto py = [&](double v) {
    return kH - kBottom - (v - y.lo) / (y.hi - y.lo) * (kH - kTop - kBottom);
  };
  std::string s = fmt::format(
      "<line x1='{0}' y1='{1}' x2='{2}' y2='{1}' stroke='#444'/>"
      "<line x1='{0}' y1='{3}' x2='{0}' y2='{1}' stroke='#444'/>",
      kLeft, kH - kBottom, kW - kRight, kTop);
  const double ys = tick_step(y.hi - y.lo);
  for (double v = std::ceil(y.lo / ys) * ys; v <= y.hi + ys * 1e-9; v += ys) {
    s += fmt::format(
        "<line x1='{0}' y1='{1:.1f}' x2='{2}' y2='{1:.1f}' stroke='#ddd'/>"
        "<text x='{3}' y='{4:.1f}' text-anchor='end' font-size='11'>{5:.4g}</text>",
        kLeft, py(v), kW - kRight, kLeft - 6, py(v) + 4, v);
  }
  const double xs = tick_step(x.hi - x.lo);
  for (double v = std::ceil(x.lo / xs) * xs; v <= x.hi + xs * 1e-9; v += xs) {
    s += fmt::format("<text x='{0:.1f}' y='{1}' text-anchor='middle' font-size='11'>{2:.6g}</text>",
                     px(v), kH - kBottom + 16, v);
  }
  s += fmt::format("<text x='{}' y='{}' text-anchor='middle' font-size='12'>{}</text>",
                   (kLeft + kW - kRight) / 2, kH - 8, html_escape(x_label));
  return s;
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string svg_line_chart(const std::string& title, const std::string& x_label,
                           const std::vector<ChartSeries>& series) {
  std::string svg = fmt::format(
      "<svg class='chart' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {} {}' width='{}' "
      "height='{}' role='img' aria-label='{}'><text x='{}' y='20' font-size='14' "
      "font-weight='bold'>{}</text>",
      kW, kH, kW, kH, html_escape(title), kLeft, html_escape(title));
  Range x, y;
  for (const auto& s : series) {
    for (const auto& [px, py] : s.points) {
      if (!std::isfinite(py)) continue;
      x = {std::min(x.lo, px), std::max(x.hi, px)};
      y = {std::min(y.lo, py), std::max(y.hi, py)};
    }
  }
  if (!std::isfinite(x.lo)) {
    return svg +
           fmt::format("<text x='{}' y='{}' font-size='12'>no data</text></svg>", kLeft, kH / 2);
  }
  x.widen();
  y.widen();
  svg += axes(x, y, x_label);
  const auto px = [&](double v) {
    return kLeft + (v - x.lo) / (x.hi - x.lo) * (kW - kLeft - kRight);
  };
  const auto py = [&](double v) {
    return kH - kBottom - (v - y.lo) / (y.hi - y.lo) * (kH - kTop - kBottom);
  };
  double legend_x = kW - kRight;
  for (auto it = series.rbegin(); it != series.rend(); ++it) {
    if (it->points.empty()) continue;
    std::string pts;
    for (const auto& [a, b] : it->points) {
      if (std::isfinite(b)) pts += fmt::format("{:.1f},{:.1f} ", px(a), py(b));
    }
    svg += fmt::format(
        "<polyline class='series' data-name='{}' fill='none' stroke='{}' stroke-width='2' "
        "points='{}'/>",
        html_escape(it->name), it->color, pts);
    if (it->points.size() <= kMarkAtMost) {
      for (const auto& [a, b] : it->points) {
        if (std::isfinite(b)) {
          svg += fmt::format(
              "<circle cx='{:.1f}' cy='{:.1f}' r='3' fill='{}'><title>{}: {:.4f}</title></circle>",
              px(a), py(b), it->color, html_escape(it->name), b);
        }
      }
    }
    legend_x -= 8.0 * static_cast<double>(it->name.size()) + 24;
    svg += fmt::format(
        "<rect x='{0:.0f}' y='10' width='12' height='12' fill='{1}'/>"
        "<text x='{2:.0f}' y='20' font-size='12'>{3}</text>",
        legend_x, it->color, legend_x + 16, html_escape(it->name));
  }
  return svg + "</svg>";
}

}  // namespace cola::track
