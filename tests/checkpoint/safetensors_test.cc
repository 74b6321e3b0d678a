#include "checkpoint/safetensors.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <random>

#include "core/error.h"
#include "core/file.h"
#include "spec/half.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::checkpoint::safetensors {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A file from a raw header and data section; `length` overrides the 8-byte header length.
std::string raw_file(const std::string& header, const std::string& data = "",
                     std::optional<uint64_t> length = std::nullopt) {
  std::string out(8, '\0');
  const uint64_t n = length.value_or(header.size());
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

File parse(const std::string& bytes) { return File::parse(bytes, "model.safetensors"); }

template <class T>
std::string bytes_of(const std::vector<T>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

// Two F32 tensors "a" [2,2] and "b" [4], 32 bytes of data.
std::string valid_file() {
  const std::vector<float> a = {1, 2, 3, 4};
  const std::vector<float> b = {5, 6, 7, 8};
  return serialize(
      {{"b", spec::DType::kF32, {4}, bytes_of(b)}, {"a", spec::DType::kF32, {2, 2}, bytes_of(a)}},
      {{"format", "pt"}});
}

TEST(Safetensors, WriterLayoutMatchesHuggingFace) {
  const std::string bytes = valid_file();
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);  // data section 8-byte aligned
  const std::string header = bytes.substr(8, n);
  EXPECT_THAT(header, StartsWith(R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32")"));
  EXPECT_THAT(header, HasSubstr(R"("b":{"dtype":"F32","shape":[4],"data_offsets":[16,32]})"));
  EXPECT_EQ(header.find_first_not_of(' ', header.rfind('}') + 1), std::string::npos);  // padding
  EXPECT_EQ(bytes.size(), 8 + n + 32);
}

TEST(Safetensors, RoundTrip) {
  const File f = parse(valid_file());
  ASSERT_EQ(f.tensors().size(), 2u);
  EXPECT_EQ(f.tensors()[0].name, "a");
  EXPECT_EQ(f.metadata().at("format"), "pt");
  const TensorInfo* b = f.find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->shape, (std::vector<int64_t>{4}));
  std::vector<float> out(4);
  f.to_f32(*b, out);
  EXPECT_EQ(out, (std::vector<float>{5, 6, 7, 8}));
  EXPECT_EQ(f.find("c"), nullptr);
}

TEST(Safetensors, WriteIsAtomicAndReadable) {
  test::TempDir tmp;
  const std::vector<float> v = {0.5f, -1.f};
  write(tmp / "w.safetensors", {{"x", spec::DType::kF32, {2}, bytes_of(v)}});
  const File f = File::read(tmp / "w.safetensors");
  EXPECT_EQ(f.source(), (tmp / "w.safetensors").string());
  EXPECT_EQ(f.data(*f.find("x")), bytes_of(v));
}

TEST(Safetensors, WriterRejectsBadInput) {
  const std::vector<float> v = {1, 2, 3};
  EXPECT_THROW_MSG(serialize({{"x", spec::DType::kF32, {2}, bytes_of(v)}}), Error,
                   HasSubstr("tensor 'x': 12 bytes given, F32 [2] needs 8"));
  EXPECT_THROW_MSG(serialize({{"x", spec::DType::kF32, {3}, bytes_of(v)},
                              {"x", spec::DType::kF32, {3}, bytes_of(v)}}),
                   Error, HasSubstr("tensor 'x' given twice"));
}

// --- Hostile files: each problem has its own message, and nothing crashes or reads out of bounds.

TEST(SafetensorsHostile, HeaderLengthLargerThanFile) {
  EXPECT_THROW_MSG(parse(raw_file("{}", "", 1000)), Error,
                   HasSubstr("model.safetensors: header length 1000 runs past the end of the file "
                             "(10 bytes)"));
}

TEST(SafetensorsHostile, AbsurdHeaderLength) {
  EXPECT_THROW_MSG(parse(raw_file("{}", "", uint64_t{1} << 40)), Error,
                   HasSubstr("header length 1099511627776 is over the 100000000-byte limit"));
  EXPECT_THROW_MSG(parse(raw_file("{}", "", ~uint64_t{0})), Error, HasSubstr("is over the"));
}

TEST(SafetensorsHostile, TooShortForTheLength) {
  EXPECT_THROW_MSG(parse("abc"), Error,
                   HasSubstr("model.safetensors: file is 3 bytes, too short for a safetensors "
                             "header"));
  EXPECT_THROW_MSG(parse(""), Error, HasSubstr("file is 0 bytes"));
}

TEST(SafetensorsHostile, InvalidJson) {
  EXPECT_THROW_MSG(parse(raw_file(R"({"a": {"dtype": )")), Error,
                   HasSubstr("model.safetensors: header is not valid JSON: "));
  EXPECT_THROW_MSG(parse(raw_file("[1, 2]")), Error,
                   HasSubstr("header must be a JSON object, got array"));
}

TEST(SafetensorsHostile, OverlappingOffsets) {
  const std::string header =
      R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
          "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})";
  EXPECT_THROW_MSG(parse(raw_file(header, std::string(24, '\0'))), Error,
                   HasSubstr("model.safetensors: tensors 'a' [0, 16] and 'b' [8, 24] overlap"));
}

TEST(SafetensorsHostile, OffsetsDisagreeWithShapeAndDtype) {
  const std::string header =
      R"({"classifier.weight": {"dtype": "F32", "shape": [2, 128], "data_offsets": [0, 100]}})";
  EXPECT_THROW_MSG(parse(raw_file(header, std::string(100, '\0'))), Error,
                   ::testing::Eq("model.safetensors: tensor 'classifier.weight': data_offsets "
                                 "[0, 100] hold 100 bytes but F32 [2,128] needs 1024"));
}

TEST(SafetensorsHostile, UnknownDtype) {
  const std::string header = R"({"w": {"dtype": "Q4_K", "shape": [2], "data_offsets": [0, 2]}})";
  EXPECT_THROW_MSG(
      parse(raw_file(header, "xx")), Error,
      HasSubstr(R"(model.safetensors: tensor 'w': unknown dtype "Q4_K" (known: BOOL)"));
}

TEST(SafetensorsHostile, TruncatedData) {
  const std::string good = valid_file();
  EXPECT_THROW_MSG(
      parse(good.substr(0, good.size() - 4)), Error,
      HasSubstr("model.safetensors: tensor 'b': data_offsets [16, 32] run past the end "
                "of the data section (28 bytes; truncated file?)"));
  // Cut inside the header: caught by the header length.
  EXPECT_THROW_MSG(parse(good.substr(0, 20)), Error, HasSubstr("runs past the end of the file"));
}

TEST(SafetensorsHostile, OffsetsPastTheEnd) {
  const std::string header =
      R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [1000, 1008]}})";
  EXPECT_THROW_MSG(parse(raw_file(header, std::string(8, '\0'))), Error,
                   HasSubstr("tensor 'w': data_offsets [1000, 1008] run past the end of the data "
                             "section (8 bytes"));
}

TEST(SafetensorsHostile, BadShapesAndOffsets) {
  const auto entry = [](const std::string& body) {
    return parse(raw_file(R"({"w": )" + body + "}", std::string(16, '\0')));
  };
  EXPECT_THROW_MSG(entry(R"({"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]})"), Error,
                   HasSubstr("tensor 'w': 'shape' must hold non-negative integers, got [-1]"));
  EXPECT_THROW_MSG(entry(R"({"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]})"), Error,
                   HasSubstr("non-negative integers"));
  EXPECT_THROW_MSG(
      entry(R"({"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 4]})"),
      Error, HasSubstr("tensor 'w': shape [4294967296,4294967296,16] of F32 is too large"));
  EXPECT_THROW_MSG(entry(R"({"dtype": "F32", "shape": [1], "data_offsets": [8, 4]})"), Error,
                   HasSubstr("data_offsets [8, 4] end before they begin"));
  EXPECT_THROW_MSG(
      entry(R"({"dtype": "F32", "shape": [1], "data_offsets": [0]})"), Error,
      HasSubstr("'data_offsets' must be two non-negative integers [begin, end], got [0]"));
  EXPECT_THROW_MSG(entry(R"({"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]})"), Error,
                   HasSubstr("'data_offsets' must be two non-negative integers"));
  EXPECT_THROW_MSG(entry(R"({"shape": [1], "data_offsets": [0, 4]})"), Error,
                   HasSubstr("tensor 'w': 'dtype' is missing or not a string"));
  EXPECT_THROW_MSG(entry(R"({"dtype": "F32", "data_offsets": [0, 4]})"), Error,
                   HasSubstr("tensor 'w': 'shape' is missing or not an array"));
  EXPECT_THROW_MSG(entry("[1, 2]"), Error, HasSubstr("tensor 'w': entry must be an object"));
}

TEST(SafetensorsHostile, DuplicateNamesAndBadMetadata) {
  const std::string dup =
      R"({"w": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]},
          "w": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}})";
  EXPECT_THROW_MSG(parse(raw_file(dup, "ab")), Error,
                   HasSubstr("tensor 'w' appears twice in the header"));
  EXPECT_THROW_MSG(parse(raw_file(R"({"__metadata__": {"format": 1}})")), Error,
                   HasSubstr("'__metadata__' value of 'format' must be a string, got 1"));
}

TEST(SafetensorsHostile, EveryTruncationAndRandomCorruptionFailsCleanly) {
  const std::string good = valid_file();
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_THROW(parse(good.substr(0, n)), Error) << "prefix of " << n << " bytes";
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = good;
    for (int k = 0; k < 3; ++k) bad[rng() % bad.size()] = static_cast<char>(rng());
    try {
      const File f = parse(bad);
      for (const auto& t : f.tensors()) {
        if (t.dtype == spec::DType::kF32) {
          std::vector<float> out(static_cast<size_t>(t.numel()));
          f.to_f32(t, out);
        }
      }
    } catch (const Error&) {
      // A clear error is the expected outcome; a crash or an ASan report is the failure.
    }
  }
}

// --- Half precision on load.

TEST(Safetensors, F16AndBF16AreConvertedToF32) {
  const std::vector<uint16_t> f16 = {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0001,
                                     0x0400, 0x7C00, 0x8000, 0x7E00};
  const std::vector<uint16_t> bf16 = {0x3F80, 0xC000, 0x4049, 0x0001, 0xFF80};
  const File f = parse(serialize({{"h", spec::DType::kF16, {9}, bytes_of(f16)},
                                  {"b", spec::DType::kBF16, {5}, bytes_of(bf16)}}));
  std::vector<float> h(9);
  f.to_f32(*f.find("h"), h);
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_EQ(h[1], -2.0f);
  EXPECT_EQ(h[2], 0.5f);
  EXPECT_EQ(h[3], 65504.0f);               // largest half
  EXPECT_EQ(h[4], std::ldexp(1.0f, -24));  // smallest subnormal half
  EXPECT_EQ(h[5], std::ldexp(1.0f, -14));  // smallest normal half
  EXPECT_EQ(h[6], INFINITY);
  EXPECT_TRUE(h[7] == 0.0f && std::signbit(h[7]));
  EXPECT_TRUE(std::isnan(h[8]));
  std::vector<float> b(5);
  f.to_f32(*f.find("b"), b);
  EXPECT_EQ(b[0], 1.0f);
  EXPECT_EQ(b[1], -2.0f);
  EXPECT_EQ(b[2], 3.140625f);
  EXPECT_EQ(std::bit_cast<uint32_t>(b[3]), 0x00010000u);  // subnormal float, bit-exact
  EXPECT_EQ(b[4], -INFINITY);
}

TEST(Safetensors, EveryFiniteHalfConvertsExactly) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const uint32_t exponent = (bits >> 10) & 0x1f;
    if (exponent == 0x1f) continue;
    const double mantissa = bits & 0x3ff;
    const double magnitude = exponent == 0 ? std::ldexp(mantissa, -24)
                                           : std::ldexp(1.0 + mantissa / 1024.0, exponent - 15);
    const double expected = (bits & 0x8000) ? -magnitude : magnitude;
    ASSERT_EQ(static_cast<double>(spec::f16_to_f32(static_cast<uint16_t>(bits))), expected)
        << std::hex << bits;
  }
}

TEST(Safetensors, IntegerTensorsAreNotFloats) {
  const std::vector<int64_t> ids = {0, 1, 2};
  const File f = parse(
      serialize({{"bert.embeddings.position_ids", spec::DType::kI64, {1, 3}, bytes_of(ids)}}));
  std::vector<float> out(3);
  EXPECT_THROW_MSG(f.to_f32(f.tensors()[0], out), Error,
                   HasSubstr("tensor 'bert.embeddings.position_ids': dtype I64 cannot be loaded as "
                             "floats"));
}

TEST(Safetensors, ReadsTheGoldenCheckpoint) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/tiny-bert/model.safetensors");
  const File f = File::read(path);
  EXPECT_EQ(f.tensors().size(), 41u);
  const TensorInfo* w = f.find("bert.embeddings.word_embeddings.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{30522, 64}));
}

}  // namespace
}  // namespace cola::checkpoint::safetensors
