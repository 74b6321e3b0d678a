#include "track/png.h"

#include <fmt/format.h>
#include <zlib.h>

#include "core/error.h"

namespace cola::track {
namespace {

void put_u32_be(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFFU);
}

// length | type | data | CRC-32 (zlib's, the one PNG specifies) of type and data.
void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32_be(out, static_cast<uint32_t>(data.size()));
  const std::string body = type + data;
  out += body;
  put_u32_be(out, static_cast<uint32_t>(::crc32(0L, reinterpret_cast<const Bytef*>(body.data()),
                                                static_cast<uInt>(body.size()))));
}

}  // namespace

RgbImage::RgbImage(int width, int height, Rgb background) : width_(width), height_(height) {
  if (width <= 0 || height <= 0) throw Error(fmt::format("bad image size {}x{}", width, height));
  pixels_.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  fill(0, 0, width, height, background);
}

Rgb RgbImage::at(int x, int y) const {
  const size_t i =
      (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  return {pixels_.at(i), pixels_.at(i + 1), pixels_.at(i + 2)};
}

void RgbImage::set(int x, int y, Rgb color) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  const size_t i =
      (static_cast<size_t>(y) * static_cast<size_t>(width_) + static_cast<size_t>(x)) * 3;
  pixels_[i] = color.r;
  pixels_[i + 1] = color.g;
  pixels_[i + 2] = color.b;
}

void RgbImage::fill(int x, int y, int w, int h, Rgb color) {
  for (int yy = y; yy < y + h; ++yy) {
    for (int xx = x; xx < x + w; ++xx) set(xx, yy, color);
  }
}

std::string encode_png(const RgbImage& image) {
  const auto w = static_cast<size_t>(image.width());
  const auto h = static_cast<size_t>(image.height());
  // Each scanline starts with its filter type; 0 (None) keeps the encoder trivial, and zlib still
  // compresses the flat colours of a chart well.
  std::string raw;
  raw.reserve(h * (1 + 3 * w));
  for (size_t y = 0; y < h; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(image.pixels().data() + y * 3 * w), 3 * w);
  }
  uLongf packed_size = ::compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (::compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                  reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                  Z_BEST_COMPRESSION) != Z_OK) {
    throw Error("PNG: zlib compression failed");
  }
  packed.resize(packed_size);

  std::string ihdr;
  put_u32_be(ihdr, static_cast<uint32_t>(w));
  put_u32_be(ihdr, static_cast<uint32_t>(h));
  ihdr +=
      std::string{'\x08', '\x02', '\0', '\0', '\0'};  // 8-bit, RGB, deflate, filter 0, no interlace
  std::string png = "\x89PNG\r\n\x1a\n";
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  return png;
}

}  // namespace cola::track
