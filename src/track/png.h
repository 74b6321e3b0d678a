#pragma once
// A minimal PNG encoder (8-bit RGB, no interlace) over zlib, for confusion-matrix images in event
// files and reports. Spec: https://www.w3.org/TR/png/ (chunks IHDR, IDAT, IEND).
#include <cstdint>
#include <string>
#include <vector>

namespace cola::track {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

/// An RGB raster, row-major, top row first.
class RgbImage {
 public:
  /// A width x height image filled with `background`; throws Error unless both are positive.
  RgbImage(int width, int height, Rgb background = {255, 255, 255});
  int width() const { return width_; }
  int height() const { return height_; }
  /// The pixel at (x, y); (0, 0) is top left.
  Rgb at(int x, int y) const;
  /// Sets one pixel; points outside the image are ignored (clipping keeps drawing code simple).
  void set(int x, int y, Rgb color);
  /// Fills a rectangle, clipped to the image.
  void fill(int x, int y, int w, int h, Rgb color);
  /// The raw bytes, 3 per pixel.
  const std::vector<uint8_t>& pixels() const { return pixels_; }

 private:
  int width_, height_;
  std::vector<uint8_t> pixels_;
};

/// Encodes the image as PNG bytes.
std::string encode_png(const RgbImage& image);

}  // namespace cola::track
