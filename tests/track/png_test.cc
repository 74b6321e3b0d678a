// PNG encoding, checked by decoding with zlib (chunk CRCs, inflate) rather than by our own code,
// and the confusion-matrix picture.
#include "track/png.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "core/error.h"
#include "support/error_message.h"
#include "track/bitmap_font.h"
#include "track/confusion_image.h"

namespace cola::track {
namespace {

uint32_t be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

struct Chunk {
  std::string type, data;
};

// Splits a PNG into chunks, checking each chunk's CRC-32 with zlib.
std::vector<Chunk> chunks(const std::string& png) {
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  std::vector<Chunk> out;
  for (size_t at = 8; at < png.size();) {
    const uint32_t n = be32(png, at);
    const std::string body = png.substr(at + 4, 4 + n);
    EXPECT_EQ(be32(png, at + 8 + n), ::crc32(0L, reinterpret_cast<const Bytef*>(body.data()),
                                             static_cast<uInt>(body.size())));
    out.push_back({body.substr(0, 4), body.substr(4)});
    at += 12 + n;
  }
  return out;
}

std::string inflate(const std::string& packed, size_t expected) {
  std::string raw(expected, '\0');
  uLongf n = expected;
  EXPECT_EQ(::uncompress(reinterpret_cast<Bytef*>(raw.data()), &n,
                         reinterpret_cast<const Bytef*>(packed.data()), packed.size()),
            Z_OK);
  EXPECT_EQ(n, expected);
  return raw;
}

TEST(Png, DecodesToThePixelsEncoded) {
  RgbImage img(3, 2, {10, 20, 30});
  img.set(2, 1, {255, 0, 128});
  img.set(5, 5, {1, 1, 1});  // outside: ignored
  const auto parts = chunks(encode_png(img));
  ASSERT_EQ(parts.size(), 3U);
  EXPECT_EQ(parts[0].type, "IHDR");
  EXPECT_EQ(be32(parts[0].data, 0), 3U);
  EXPECT_EQ(be32(parts[0].data, 4), 2U);
  EXPECT_EQ(parts[0].data.substr(8), std::string("\x08\x02\0\0\0", 5));
  EXPECT_EQ(parts[1].type, "IDAT");
  EXPECT_EQ(parts[2].type, "IEND");
  const std::string raw = inflate(parts[1].data, 2 * (1 + 3 * 3));
  EXPECT_EQ(raw[0], '\0');  // filter type None
  EXPECT_EQ(raw.substr(1, 3), "\x0a\x14\x1e");
  EXPECT_EQ(raw[10], '\0');                                                  // row 1's filter byte
  EXPECT_EQ(raw.substr(10 + 1 + 2 * 3, 3), std::string("\xff\x00\x80", 3));  // pixel (2, 1)
}

TEST(Png, RejectsEmptyImages) {
  EXPECT_THAT(test::error_message<Error>([] { RgbImage(0, 4); }), ::testing::HasSubstr("0x4"));
}

bool contains_color(const RgbImage& img, Rgb c) {
  for (int y = 0; y < img.height(); ++y) {
    for (int x = 0; x < img.width(); ++x) {
      if (img.at(x, y) == c) return true;
    }
  }
  return false;
}

TEST(ConfusionImage, ShadesCellsByCountAndWritesLabels) {
  EXPECT_EQ(confusion_shade(0, 10), (Rgb{247, 251, 255}));
  EXPECT_EQ(confusion_shade(10, 10), (Rgb{8, 48, 107}));
  const auto img = render_confusion_matrix({{10, 5}, {0, 3}}, {"no", "yes"});
  EXPECT_TRUE(contains_color(img, confusion_shade(10, 10)));
  EXPECT_TRUE(contains_color(img, confusion_shade(5, 10)));
  EXPECT_TRUE(contains_color(img, confusion_shade(3, 10)));
  EXPECT_TRUE(contains_color(img, confusion_shade(0, 10)));
  // The dark cell's count is drawn in white, so text is readable on it.
  EXPECT_TRUE(contains_color(img, {255, 255, 255}));
  EXPECT_GE(img.width(), text_width("rows: true  columns: predicted", 2));
  const auto parts = chunks(confusion_matrix_png({{1}}, {"only"}));
  EXPECT_EQ(parts[0].type, "IHDR");
}

TEST(ConfusionImage, ShapeMismatchIsAnError) {
  EXPECT_THAT(test::error_message<Error>([] {
                render_confusion_matrix({{1, 2}}, {"a", "b"});
              }),
              ::testing::HasSubstr("1 rows for 2 labels"));
  EXPECT_THAT(test::error_message<Error>([] {
                render_confusion_matrix({{1, 2}, {3}}, {"a", "b"});
              }),
              ::testing::HasSubstr("row 1 has 1 columns, expected 2"));
}

TEST(BitmapFont, DrawsGlyphPixels) {
  RgbImage img(20, 10);
  draw_text(img, 0, 0, "1", {0, 0, 0}, 1);
  // '1' row 0 is 00100: only the middle column is inked.
  EXPECT_EQ(img.at(2, 0), (Rgb{0, 0, 0}));
  EXPECT_EQ(img.at(0, 0), (Rgb{255, 255, 255}));
  EXPECT_EQ(text_width("ab", 2), (2 * 6 - 1) * 2);
}

}  // namespace
}  // namespace cola::track
