// Zip extraction on archives built here with zlib, the CoLA archive check, and sha256.
#include "data/zip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "data/cola_download.h"
#include "support/shared_data.h"

namespace cola::data {
namespace {

void put(std::string& out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::string raw_deflate(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

struct Entry {
  std::string name, content;
  bool deflate = true;
};

// A minimal archive as APPNOTE.TXT 4.3.6 lays it out: local headers with data, the central
// directory, the end record.
std::string make_zip(const std::vector<Entry>& entries) {
  std::string zip, central;
  for (const auto& e : entries) {
    const std::string data = e.deflate ? raw_deflate(e.content) : e.content;
    const auto crc = static_cast<uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(e.content.data()), uInt(e.content.size())));
    const auto offset = static_cast<uint32_t>(zip.size());
    std::string fields;  // version needed, flags, method, time, date, crc, sizes, name length
    put(fields, 20, 2), put(fields, 0, 2), put(fields, e.deflate ? 8 : 0, 2), put(fields, 0, 4);
    put(fields, crc, 4), put(fields, uint32_t(data.size()), 4),
        put(fields, uint32_t(e.content.size()), 4);
    put(fields, uint32_t(e.name.size()), 2), put(fields, 0, 2);  // extra length
    put(zip, 0x04034b50, 4), zip += fields, zip += e.name, zip += data;
    put(central, 0x02014b50, 4), put(central, 20, 2), central += fields;
    put(central, 0, 2), put(central, 0, 2), put(central, 0, 2),
        put(central, 0, 4);  // comment..attrs
    put(central, offset, 4), central += e.name;
  }
  const auto cd_offset = static_cast<uint32_t>(zip.size());
  zip += central;
  put(zip, 0x06054b50, 4), put(zip, 0, 4), put(zip, uint32_t(entries.size()), 2);
  put(zip, uint32_t(entries.size()), 2), put(zip, uint32_t(central.size()), 4);
  put(zip, cd_offset, 4), put(zip, 0, 2);
  return zip;
}

TEST(Zip, ExtractsDeflatedAndStoredEntries) {
  const std::string text(5000, 'x');
  const std::string zip = make_zip({{"a/readme.txt", "stored bytes", false}, {"b/big.txt", text}});
  EXPECT_EQ(extract_zip_entry(zip, "a/readme.txt"), "stored bytes");
  EXPECT_EQ(extract_zip_entry(zip, "b/big.txt"), text);
  EXPECT_LT(zip.size(), 1000u);  // the 5000 bytes really were deflated
}

TEST(Zip, ReportsMissingEntriesAndCorruption) {
  std::string zip = make_zip({{"only.txt", "hello hello hello"}});
  try {
    extract_zip_entry(zip, "other.txt");
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "zip: no entry named other.txt");
  }
  zip[14] = static_cast<char>(zip[14] ^ 1);     // flip a bit of the local header's CRC-32 ...
  zip[zip.find("\x50\x4b\x01\x02") + 16] ^= 1;  // ... and of the central directory's
  try {
    extract_zip_entry(zip, "only.txt");
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "zip entry only.txt: zip: CRC-32 mismatch");
  }
  EXPECT_THROW(extract_zip_entry("not a zip at all, just some text", "x"), Error);
}

TEST(Download, ExtractsTheColaFilesIntoADirectory) {
  const std::string zip = make_zip({{"cola_public/README", "readme"},
                                    {"cola_public/raw/in_domain_train.tsv", "s\t1\t\tA.\n"},
                                    {"cola_public/raw/in_domain_dev.tsv", "s\t0\t*\tB.\n"}});
  test::TempDir tmp;
  const auto written = extract_cola_files(zip, tmp / "cola/raw");
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(read_file(tmp / "cola/raw/in_domain_train.tsv"), "s\t1\t\tA.\n");
  EXPECT_EQ(read_file(tmp / "cola/raw/in_domain_dev.tsv"), "s\t0\t*\tB.\n");
}

TEST(Download, RejectsAnArchiveWithTheWrongChecksum) {
  try {
    verify_cola_zip("abc");
    FAIL() << "expected a throw";
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "CoLA archive check failed: got 3 bytes with sha256 "
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, expected 255330 "
        "bytes with sha256 2cf856f46df11c143d38e0cf2f9f34ff2fdb088c521cd859f5c4b9581683278b");
  }
}

TEST(Sha256, MatchesFips180Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

}  // namespace
}  // namespace cola::data
