// torch.save files: the golden ones PyTorch wrote (../shared/golden/pytorch), every hostile one,
// and variations made by tests/support/torch_save_writer (strides, shared storages, dtypes,
// broken records).
#include "checkpoint/torch_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "checkpoint/safetensors.h"
#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"
#include "support/torch_save_writer.h"

namespace cola::checkpoint::torch_file {
namespace {

namespace fs = std::filesystem;
using test::error_message;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPwned[] = "/tmp/cola-pwned";  // what the hostile pickles would create

std::vector<float> floats(const StoredTensor& t) {
  std::vector<float> out(static_cast<size_t>(t.numel()));
  read_f32(t, out);
  return out;
}

TorchFile parse(const std::string& bytes, const std::string& label = "t.bin") {
  return TorchFile::parse(MappedFile::from_bytes(bytes, label));
}

std::string parse_error(const std::string& bytes, const std::string& label = "t.bin") {
  return error_message<Error>([&] { parse(bytes, label); });
}

// Every tensor of `w` (names after stripping `prefix`) equals the golden safetensors tensor.
void expect_golden_tensors(const Weights& w, const std::string& prefix) {
  COLA_SHARED_PATH_OR_SKIP(golden, "golden/tiny-bert/model.safetensors");
  const auto reference = safetensors::File::read(golden).weights();
  size_t compared = 0;
  for (const auto& t : w.tensors) {
    ASSERT_TRUE(t.name.starts_with(prefix)) << t.name;
    const StoredTensor* want = reference.find(t.name.substr(prefix.size()));
    if (want == nullptr) {
      EXPECT_EQ(t.name, prefix + "bert.embeddings.position_ids");  // a buffer HF < 4.31 saved
      continue;
    }
    EXPECT_EQ(t.shape, want->shape) << t.name;
    EXPECT_EQ(floats(t), floats(*want)) << t.name;  // bit-exact: the same float32 bytes
    ++compared;
  }
  EXPECT_EQ(compared, reference.tensors.size());
}

class GoldenTorchFiles : public ::testing::TestWithParam<std::pair<const char*, Format>> {};

TEST_P(GoldenTorchFiles, PytorchModelBinHoldsTheGoldenWeights) {
  COLA_SHARED_PATH_OR_SKIP(path, GetParam().first);
  const TorchFile file = TorchFile::read(path);
  EXPECT_EQ(file.format(), GetParam().second);
  std::string key = "?";
  const auto& state_dict = find_state_dict(file, &key);
  EXPECT_EQ(key, "");  // the root is the state dict
  const Weights w = state_dict_weights(file, state_dict);
  expect_golden_tensors(w, "");
  const StoredTensor* ids = w.find("bert.embeddings.position_ids");
  ASSERT_NE(ids, nullptr);
  EXPECT_EQ(ids->dtype, spec::DType::kI64);
  std::vector<int64_t> got(512);
  read_i64(*ids, got);
  EXPECT_EQ(got[0], 0);
  EXPECT_EQ(got[511], 511);
}

INSTANTIATE_TEST_SUITE_P(
    ZipAndLegacy, GoldenTorchFiles,
    ::testing::Values(std::pair{"golden/pytorch/hf-bin/pytorch_model.bin", Format::kZip},
                      std::pair{"golden/pytorch/hf-bin-legacy/pytorch_model.bin",
                                Format::kLegacy}));

class GoldenLightning : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenLightning, CallbacksAndHyperParametersLoadAsData) {
  COLA_SHARED_PATH_OR_SKIP(path, GetParam());
  const TorchFile file = TorchFile::read(path);
  const pickle::Value& root = file.root();
  ASSERT_NE(lookup(root, "pytorch-lightning_version"), nullptr);
  EXPECT_EQ(lookup(root, "pytorch-lightning_version")->as_string_view(), "1.2.10");
  const pickle::Value* hp = lookup(root, "hyper_parameters");
  ASSERT_NE(hp, nullptr);
  EXPECT_EQ(lookup(*hp, "model_name")->as_string_view(), "cola-golden/tiny-bert");
  // PL 1.2 keys the callbacks' state by the callback classes themselves: inert globals here.
  const pickle::Value* callbacks = lookup(root, "callbacks");
  ASSERT_NE(callbacks, nullptr);
  ASSERT_EQ(dict_entries(*callbacks).size(), 2u);
  const auto& [cls, state] = dict_entries(*callbacks)[0];
  EXPECT_EQ(cls->kind, pickle::Kind::kGlobal);
  EXPECT_EQ(cls->qualified_name(), "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint");
  const pickle::Value* score = lookup(*state, "best_model_score");
  ASSERT_NE(score, nullptr);
  ASSERT_NE(as_tensor(*score), nullptr);  // tensors inside the callbacks are tensors too
  EXPECT_EQ(as_tensor(*score)->numel(), 1);

  std::string key;
  const Weights w = state_dict_weights(file, find_state_dict(file, &key));
  EXPECT_EQ(key, "state_dict");
  expect_golden_tensors(w, "bert.");  // the LightningModule's attribute prefix
}

INSTANTIATE_TEST_SUITE_P(ZipAndLegacy, GoldenLightning,
                         ::testing::Values("golden/pytorch/lightning/best-checkpoint.ckpt",
                                           "golden/pytorch/lightning/best-checkpoint-legacy.ckpt"));

// Every file in hostile/ is refused with one line naming the file and the fault, and nothing runs.
struct Hostile {
  const char* file;
  const char* fault;
};

class HostileFiles : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileFiles, AreRefusedWithOneClearLine) {
  COLA_SHARED_PATH_OR_SKIP(path, std::string("golden/pytorch/hostile/") + GetParam().file);
  fs::remove(kPwned);
  std::string message;
  if (path.extension() == ".pkl") {
    // A bare pickle: what it would do as a torch.save file's data.pkl.
    test::TorchSave spec;
    spec.data_pkl = read_file(path);
    message = parse_error(test::torch_save_zip(spec), path.string());
  } else {
    message = error_message<Error>([&] { TorchFile::read(path); });
  }
  EXPECT_THAT(message, AllOf(HasSubstr(path.string()), HasSubstr(GetParam().fault)));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(kPwned)) << "a hostile file ran code";
}

INSTANTIATE_TEST_SUITE_P(
    All, HostileFiles,
    ::testing::Values(
        Hostile{"exec-os-system.bin", "refusing to call posix.system"},
        Hostile{"exec-eval.ckpt", "refusing to call __builtin__.eval"},
        Hostile{"truncated.bin", "not a complete zip archive"},
        Hostile{"missing-storage.bin", "has no record '.small/data/0' (a missing storage)"},
        Hostile{"short-storage.bin",
                "storage record '.small/data/0' (tensor 'bert.embeddings.position_embeddings."
                "weight') holds 65536 bytes, but 32768 F32 elements of 4 bytes need 131072"},
        Hostile{"bad-memo.pkl", "memo"}, Hostile{"deep-nesting.pkl", "stack"},
        Hostile{"huge-length.pkl", "past the end"}),
    [](const auto& p) {
      std::string name = p.param.file;
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

// A small state dict: w (2x3 floats), b (3 floats).
test::TorchSave small() {
  test::TorchSave spec;
  spec.storages["0"] = {"FloatStorage", test::float_bytes({1, 2, 3, 4, 5, 6}), -1};
  spec.storages["1"] = {"FloatStorage", test::float_bytes({7, 8, 9}), -1};
  spec.tensors = {test::tensor("w", "0", 0, {2, 3}), test::tensor("b", "1", 0, {3})};
  return spec;
}

TEST(TorchFile, BothFormatsOfOneStateDictReadTheSame) {
  for (const auto& bytes : {test::torch_save_zip(small()), test::torch_save_legacy(small())}) {
    const TorchFile file = parse(bytes);
    const Weights w = state_dict_weights(file, find_state_dict(file));
    ASSERT_EQ(w.tensors.size(), 2u);
    EXPECT_EQ(floats(*w.find("w")), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(floats(*w.find("b")), (std::vector<float>{7, 8, 9}));
    EXPECT_EQ(file.tensor_count(), 2u);
  }
}

TEST(TorchFile, StridedViewsAndSharedStoragesAreReadInRowMajorOrder) {
  auto spec = small();
  spec.storages.erase("1");
  // The transpose of w ([3, 2], strides [1, 3]) and a view of its second row, on one storage.
  spec.tensors = {test::tensor("wt", "0", 0, {3, 2}, {1, 3}),
                  test::tensor("row1", "0", 3, {3}, {1})};
  for (const auto& bytes : {test::torch_save_zip(spec), test::torch_save_legacy(spec)}) {
    const TorchFile file = parse(bytes);
    const Weights w = state_dict_weights(file, find_state_dict(file));
    EXPECT_FALSE(w.find("wt")->contiguous());
    EXPECT_EQ(floats(*w.find("wt")), (std::vector<float>{1, 4, 2, 5, 3, 6}));
    EXPECT_EQ(floats(*w.find("row1")), (std::vector<float>{4, 5, 6}));
    std::string scratch;
    EXPECT_EQ(contiguous_bytes(*w.find("wt"), scratch), test::float_bytes({1, 4, 2, 5, 3, 6}));
  }
}

TEST(TorchFile, HalfBfloatAndIntegerStorages) {
  test::TorchSave spec;
  // 1.5 and -2 as IEEE half (0x3e00, 0xc000) and as bfloat16 (0x3fc0, 0xc000).
  spec.storages["h"] = {"HalfStorage", std::string("\x00\x3e\x00\xc0", 4), -1};
  spec.storages["b"] = {"BFloat16Storage", std::string("\xc0\x3f\x00\xc0", 4), -1};
  spec.storages["d"] = {"DoubleStorage", std::string("\x00\x00\x00\x00\x00\x00\xf8\x3f", 8), -1};
  spec.storages["l"] = {"LongStorage",
                        std::string("\x05\0\0\0\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 16), -1};
  spec.tensors = {test::tensor("h", "h", 0, {2}), test::tensor("b", "b", 0, {2}),
                  test::tensor("d", "d", 0, {1}), test::tensor("l", "l", 0, {2})};
  const TorchFile file = parse(test::torch_save_zip(spec));
  const Weights w = state_dict_weights(file, find_state_dict(file));
  EXPECT_EQ(w.find("h")->dtype, spec::DType::kF16);
  EXPECT_EQ(floats(*w.find("h")), (std::vector<float>{1.5F, -2.0F}));
  EXPECT_EQ(floats(*w.find("b")), (std::vector<float>{1.5F, -2.0F}));
  EXPECT_EQ(floats(*w.find("d")), (std::vector<float>{1.5F}));
  std::vector<int64_t> ints(2);
  read_i64(*w.find("l"), ints);
  EXPECT_EQ(ints, (std::vector<int64_t>{5, -1}));
  EXPECT_THAT(error_message<Error>([&] { floats(*w.find("l")); }),
              HasSubstr("t.bin: tensor 'l': dtype I64 cannot be loaded as floats"));
}

TEST(TorchFile, BrokenRecordsNameTheTensorAndTheFault) {
  auto spec = small();
  spec.storages["0"].bytes.resize(12);  // 3 floats where the id declares 6
  spec.storages["0"].numel = 6;
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              HasSubstr("t.bin: storage record 'archive/data/0' (tensor 'w') holds 12 bytes, "
                        "but 6 F32 elements of 4 bytes need 24 (truncated or corrupt)"));
  spec = small();
  spec.storages["0"].type = "HalfStorage";  // 24 bytes declared as 6 halves: 12 bytes
  spec.storages["0"].numel = 6;
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              HasSubstr("holds 24 bytes, but 6 F16 elements of 2 bytes need 12 (a dtype or "
                        "element-size mismatch)"));
  spec = small();
  spec.tensors[0].stride = {4, 1};  // row 1 reaches element 4 + 2 = 6 of 6
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              HasSubstr("t.bin: tensor 'w': size [2,3], stride [4,1] and offset 0 reach "
                        "element 6, but its storage holds only 6 F32 elements"));
  spec = small();
  spec.omit_records = {"1"};
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              HasSubstr("data.pkl names storage '1' (tensor 'b'), but the archive has no "
                        "record 'archive/data/1' (a missing storage)"));
  spec = small();
  spec.storages["0"].type = "ComplexFloatStorage";
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              HasSubstr("has type torch.ComplexFloatStorage: not a supported storage type"));
  spec = small();
  spec.byteorder = "big";
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              HasSubstr("byteorder 'big': only little-endian files are supported"));
  // The legacy format cut inside its last storage.
  const std::string legacy = test::torch_save_legacy(small());
  EXPECT_THAT(parse_error(legacy.substr(0, legacy.size() - 4)),
              HasSubstr("(truncated or corrupt)"));
  EXPECT_THAT(parse_error("neither zip nor pickle"), HasSubstr("t.bin: not a torch.save file"));
}

TEST(TorchFile, AStorageDeclaredTwiceWithAnotherDtypeIsRefused) {
  auto spec = small();
  spec.tensors.push_back(test::tensor("again", "0", 0, {6}, {}, "IntStorage"));
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              HasSubstr("storage '0' is declared twice, as torch.FloatStorage of 6 elements and "
                        "as torch.IntStorage of 6: a dtype or element-size mismatch"));
}

TEST(TorchFile, APlantedCallIsRefusedNamingTheGlobal) {
  auto spec = small();
  spec.extra_pickled = {{"evil", test::pickle_call("os", "system", "touch /tmp/cola-pwned")}};
  fs::remove(kPwned);
  EXPECT_THAT(parse_error(test::torch_save_zip(spec)),
              AllOf(HasSubstr("t.bin: archive/data.pkl: byte "), HasSubstr("os.system")));
  EXPECT_FALSE(fs::exists(kPwned));
}

TEST(TorchFile, StateDictIsFoundUnderTheUsualKeys) {
  auto spec = small();
  spec.lightning_model_name = "org/name";
  const TorchFile file = parse(test::torch_save_zip(spec));
  std::string key;
  EXPECT_EQ(dict_entries(find_state_dict(file, &key)).size(), 2u);
  EXPECT_EQ(key, "state_dict");
  // A dict with no tensors anywhere says what it holds.
  test::TorchSave none;
  none.data_pkl = std::string(
      "\x80\x02}(X\x01\x00\x00\x00"
      "aK\x01u.",
      14);
  EXPECT_THAT(error_message<Error>([&] { find_state_dict(parse(test::torch_save_zip(none))); }),
              HasSubstr("t.bin: no state dict: the file holds {'a': 1}"));
}

}  // namespace
}  // namespace cola::checkpoint::torch_file
