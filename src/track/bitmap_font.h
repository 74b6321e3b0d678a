#pragma once
// A 5x7 bitmap font (digits, A-Z, a little punctuation) to label images without a font library.
// Lowercase letters are drawn as capitals; characters without a glyph are drawn as '?'.
#include <string_view>

#include "track/png.h"

namespace cola::track {

/// Pixels a string occupies at `scale` (each font pixel becomes scale x scale).
int text_width(std::string_view text, int scale);
inline int text_height(int scale) { return 7 * scale; }

/// Draws `text` with its top-left corner at (x, y).
void draw_text(RgbImage& image, int x, int y, std::string_view text, Rgb color, int scale);

}  // namespace cola::track
