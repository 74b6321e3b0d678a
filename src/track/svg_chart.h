#pragma once
// Line charts as inline SVG for the HTML report: no scripts, no external assets.
#include <string>
#include <utility>
#include <vector>

namespace cola::track {

struct ChartSeries {
  std::string name;                               // legend text
  std::string color;                              // CSS colour
  std::vector<std::pair<double, double>> points;  // (x, y), in x order
};

/// An <svg class="chart"> with axes, ticks, one polyline per series (points are also marked
/// when there are few of them, e.g. per epoch) and a legend. Series without points are skipped;
/// with none at all the chart says "no data".
std::string svg_line_chart(const std::string& title, const std::string& x_label,
                           const std::vector<ChartSeries>& series);

/// Escapes & < > " ' for HTML text and attributes.
std::string html_escape(const std::string& text);

}  // namespace cola::track
