#include "core/zip_archive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/mapped_file.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "support/torch_save_writer.h"

namespace cola {
namespace {

using test::error_message;
using ::testing::HasSubstr;

TEST(ZipArchive, ReadsTheEntriesAndTheirAlignedData) {
  test::TorchSave spec;
  spec.folder = "model";
  spec.storages["0"] = {"FloatStorage", test::float_bytes({1, 2, 3}), -1};
  spec.tensors = {test::tensor("w", "0", 0, {3})};
  const std::string bytes = test::torch_save_zip(spec);
  const ZipArchive zip = ZipArchive::read(bytes, "m.bin");
  ASSERT_NE(zip.find("model/data/0"), nullptr);
  EXPECT_EQ(zip.find("model/data/1"), nullptr);
  const ZipEntry& e = *zip.find("model/data/0");
  EXPECT_EQ(e.method, kZipStored);
  EXPECT_EQ(e.data_offset % 64, 0u);  // torch.save's alignment, kept by the local extra field
  EXPECT_EQ(zip.raw(e), test::float_bytes({1, 2, 3}));
}

TEST(ZipArchive, ReadsPyTorchsZip64Records) {
  // torch.save writes zip64 end records even for small files.
  COLA_SHARED_PATH_OR_SKIP(path, "golden/pytorch/hf-bin/pytorch_model.bin");
  const auto file = MappedFile::open(path);
  const ZipArchive zip = ZipArchive::read(file->bytes(), path.string());
  ASSERT_NE(zip.find("pytorch_model/data.pkl"), nullptr);
  EXPECT_EQ(zip.find("pytorch_model/data/0")->size, 7813632u);  // 30522 x 64 floats
}

TEST(ZipArchive, TruncatedAndCorruptArchivesNameTheFault) {
  test::TorchSave spec;
  spec.storages["0"] = {"FloatStorage", test::float_bytes({1, 2, 3, 4}), -1};
  spec.tensors = {test::tensor("w", "0", 0, {4})};
  const std::string bytes = test::torch_save_zip(spec);
  EXPECT_THAT(error_message<Error>([&] { ZipArchive::read(bytes.substr(0, 200), "half.bin"); }),
              HasSubstr("half.bin: not a complete zip archive: no end-of-central-directory "
                        "record (the file is truncated"));
  EXPECT_THAT(error_message<Error>([&] { ZipArchive::read("just text", "t.bin"); }),
              HasSubstr("t.bin: not a complete zip archive"));
  // An entry whose size runs past the end of the file: cut the data but keep the directory.
  std::string cut = bytes;
  const ZipArchive zip = ZipArchive::read(bytes, "x");
  const size_t data = zip.find("archive/data/0")->data_offset;
  cut.erase(data, 8);
  EXPECT_THAT(error_message<Error>([&] { ZipArchive::read(cut, "cut.bin"); }),
              HasSubstr("cut.bin: "));
  EXPECT_TRUE(looks_like_zip(bytes));
  EXPECT_FALSE(looks_like_zip("\x80\x02"));
}

}  // namespace
}  // namespace cola
