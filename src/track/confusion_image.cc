#include "track/confusion_image.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "track/bitmap_font.h"

namespace cola::track {
namespace {

constexpr int kScale = 2;   // font pixels are 2x2: labels readable at a glance
constexpr int kPad = 12;    // margins and gaps, in pixels
constexpr int kCellH = 72;  // cell height
constexpr Rgb kLow{247, 251, 255}, kHigh{8, 48, 107};  // matplotlib's "Blues" end points
constexpr Rgb kInk{20, 20, 20}, kGrid{170, 170, 170};

uint8_t lerp(uint8_t a, uint8_t b, double t) { return static_cast<uint8_t>(a + (b - a) * t + 0.5); }

void draw_centered(RgbImage& img, int cx, int cy, const std::string& text, Rgb color) {
  draw_text(img, cx - text_width(text, kScale) / 2, cy - text_height(kScale) / 2, text, color,
            kScale);
}

}  // namespace

Rgb confusion_shade(int64_t count, int64_t max_count) {
  const double t = max_count > 0 ? static_cast<double>(count) / static_cast<double>(max_count) : 0;
  return {lerp(kLow.r, kHigh.r, t), lerp(kLow.g, kHigh.g, t), lerp(kLow.b, kHigh.b, t)};
}

RgbImage render_confusion_matrix(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& labels) {
  const int n = static_cast<int>(labels.size());
  if (n == 0 || counts.size() != labels.size()) {
    throw Error(fmt::format("confusion matrix: {} rows for {} labels", counts.size(), n));
  }
  int64_t max_count = 0;
  size_t longest = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i].size() != labels.size()) {
      throw Error(fmt::format("confusion matrix: row {} has {} columns, expected {}", i,
                              counts[i].size(), n));
    }
    for (const auto c : counts[i]) max_count = std::max(max_count, c);
    longest = std::max(longest, labels[i].size());
  }
  const int label_w = text_width(std::string(longest, 'W'), kScale);
  const int cell_w = std::max(96, label_w + 2 * kPad);
  const int left = kPad + label_w + kPad;
  const int line = text_height(kScale) + kPad;
  const int top = kPad + 2 * line;  // the axis caption, then the column labels
  const std::string caption = "rows: true  columns: predicted";
  RgbImage img(std::max(left + n * cell_w + kPad, text_width(caption, kScale) + 2 * kPad),
               top + n * kCellH + kPad);

  draw_text(img, kPad, kPad, caption, kInk, kScale);
  for (int i = 0; i < n; ++i) {
    const auto& name = labels[static_cast<size_t>(i)];
    draw_centered(img, left + i * cell_w + cell_w / 2, kPad + line + text_height(kScale) / 2, name,
                  kInk);
    draw_text(img, kPad, top + i * kCellH + (kCellH - text_height(kScale)) / 2, name, kInk, kScale);
    for (int j = 0; j < n; ++j) {
      const int64_t c = counts[static_cast<size_t>(i)][static_cast<size_t>(j)];
      const int x = left + j * cell_w, y = top + i * kCellH;
      img.fill(x, y, cell_w, kCellH, kGrid);
      img.fill(x + 1, y + 1, cell_w - 2, kCellH - 2, confusion_shade(c, max_count));
      // White digits on the dark half of the scale, black on the light half.
      const bool dark = max_count > 0 && 2 * c > max_count;
      draw_centered(img, x + cell_w / 2, y + kCellH / 2, std::to_string(c),
                    dark ? Rgb{255, 255, 255} : kInk);
    }
  }
  return img;
}

std::string confusion_matrix_png(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& labels) {
  return encode_png(render_confusion_matrix(counts, labels));
}

}  // namespace cola::track
