#pragma once
// The confusion matrix as a picture: rows are the true labels, columns the predictions, each cell
// shaded from white (0) to dark blue (the largest count) with its count written in it.
#include <cstdint>
#include <string>
#include <vector>

#include "track/png.h"

namespace cola::track {

/// counts[truth][prediction], square, one row per label. Throws Error on a shape mismatch.
RgbImage render_confusion_matrix(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& labels);

/// The cell colour for `count` when the largest count is `max_count` (linear in count).
Rgb confusion_shade(int64_t count, int64_t max_count);

/// render_confusion_matrix encoded as PNG.
std::string confusion_matrix_png(const std::vector<std::vector<int64_t>>& counts,
                                 const std::vector<std::string>& labels);

}  // namespace cola::track
