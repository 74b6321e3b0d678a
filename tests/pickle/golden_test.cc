// The real pickles of ../shared/golden/pytorch (README.md there): what torch.save wrote for a
// Lightning checkpoint and a Hugging Face pytorch_model.bin, zip and legacy formats. A policy
// stands in for the torch reader (placeholders for storages and tensors); everything else is
// the base policy, so these also prove that real files need nothing more than it allows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/file.h"
#include "pickle/unpickler.h"
#include "pickle_test_util.h"
#include "support/shared_data.h"

namespace cola::pickle {
namespace {

using namespace std::string_view_literals;

uint32_t le32(std::string_view bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i)
    v |= uint32_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return v;
}

// Where the data of the zip entry named "<dir>/data.pkl" starts: after its local file header
// (PK\3\4, 30 bytes with the name length at 26 and the extra length at 28), name and extra.
// torch.save stores entries uncompressed but puts their sizes in a data descriptor after the
// data (flag bit 3), so the caller reads the pickle up to its own STOP.
size_t data_pkl_offset(std::string_view zip) {
  for (size_t at = zip.find("PK\x03\x04"sv); at != std::string_view::npos && at + 30 <= zip.size();
       at = zip.find("PK\x03\x04"sv, at + 4)) {
    const uint32_t name_size = le32(zip, at + 26) & 0xFFFF;
    const uint32_t extra_size = le32(zip, at + 28) & 0xFFFF;
    if (zip.substr(at + 30, name_size).ends_with("/data.pkl")) {
      return at + 30 + name_size + extra_size;
    }
  }
  ADD_FAILURE() << "no data.pkl entry";
  return zip.size();
}

// Unpickles the data.pkl of a torch.save zip, checking that the zip's data descriptor (PK\7\8,
// CRC, compressed size) follows at Document::end() and agrees on the size.
Document load_data_pkl(const std::string& zip, Policy& policy, const std::string& source) {
  const size_t start = data_pkl_offset(zip);
  LoadOptions options;
  options.source = source + ": data.pkl";
  options.offset = start;
  Document doc = load(zip, policy, options);
  EXPECT_EQ(zip.substr(doc.end(), 4), "PK\x07\x08"sv);
  EXPECT_EQ(le32(zip, doc.end() + 8), doc.end() - start);
  return doc;
}

TEST(Golden, LightningCheckpoint) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/pytorch/lightning/best-checkpoint.ckpt");
  test::PlaceholderTorchPolicy policy;
  const Document doc = load_data_pkl(read_file(path), policy, "best-checkpoint.ckpt");
  const Value& root = *doc.root();
  ASSERT_TRUE(root.is_dict());
  EXPECT_EQ(root.get("epoch")->as_int(), 2);
  EXPECT_EQ(root.get("global_step")->as_int(), 402);
  EXPECT_EQ(root.get("pytorch-lightning_version")->as_string_view(), "1.2.10");
  EXPECT_EQ(root.get("hparams_name")->as_string_view(), "kwargs");

  const Value* hparams = root.get("hyper_parameters");
  ASSERT_NE(hparams, nullptr);
  EXPECT_EQ(hparams->get("model_name")->as_string_view(), "cola-golden/tiny-bert");
  EXPECT_EQ(hparams->get("lr")->as_float(), 3e-05);
  EXPECT_EQ(describe(*hparams), "{'model_name': 'cola-golden/tiny-bert', 'lr': 3e-05}");

  const Value* state_dict = root.get("state_dict");
  ASSERT_NE(state_dict, nullptr);
  EXPECT_EQ(state_dict->qualified_name(), "collections.OrderedDict");
  ASSERT_EQ(state_dict->entries.size(), 42U);
  EXPECT_EQ(state_dict->entries[0].first->as_string_view(),
            "bert.bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(describe(*state_dict->entries[0].second), "tensor(30522, 64)");
  EXPECT_EQ(describe(*state_dict->get("bert.classifier.weight")), "tensor(2, 64)");

  // PL 1.2 keys its callbacks by the classes themselves: inert globals, never imported.
  const Value* callbacks = root.get("callbacks");
  ASSERT_NE(callbacks, nullptr);
  ASSERT_EQ(callbacks->entries.size(), 2U);
  const auto& [checkpoint_class, checkpoint_state] = callbacks->entries[0];
  EXPECT_TRUE(checkpoint_class->is_global());
  EXPECT_EQ(checkpoint_class->qualified_name(),
            "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint");
  EXPECT_EQ(checkpoint_state->get("monitor")->as_string_view(), "valid/loss");
  EXPECT_EQ(describe(*checkpoint_state->get("best_model_score")), "tensor()");
  EXPECT_EQ(callbacks->entries[1].first->qualified_name(),
            "pytorch_lightning.callbacks.early_stopping.EarlyStopping");
  EXPECT_EQ(callbacks->entries[1].second->get("patience")->as_int(), 3);
  EXPECT_TRUE(root.get("optimizer_states")->is_list());

  EXPECT_EQ(policy.tensors, 44);  // 42 weights and the two callbacks' scores
  EXPECT_EQ(policy.storages, 44);
}

TEST(Golden, HuggingFaceZipStateDict) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/pytorch/hf-bin/pytorch_model.bin");
  test::PlaceholderTorchPolicy policy;
  const Document doc = load_data_pkl(read_file(path), policy, "pytorch_model.bin");
  const Value& root = *doc.root();
  EXPECT_EQ(root.qualified_name(), "collections.OrderedDict");
  EXPECT_EQ(root.entries.size(), 42U);
  EXPECT_EQ(describe(*root.get("classifier.weight")), "tensor(2, 64)");
  EXPECT_EQ(describe(*root.get("bert.embeddings.position_ids")), "tensor(1, 512)");
  EXPECT_EQ(policy.storages, 42);
}

// The legacy (pre-1.6) torch.save format: five pickles in a row, then raw storages.
TEST(Golden, LegacyFormatIsFiveConsecutivePickles) {
  COLA_SHARED_PATH_OR_SKIP(path, "golden/pytorch/hf-bin-legacy/pytorch_model.bin");
  const std::string bytes = read_file(path);
  test::PlaceholderTorchPolicy policy;
  LoadOptions options;
  options.source = "pytorch_model.bin";

  const Document magic = load(bytes, policy, options);
  EXPECT_EQ(magic.root()->kind, Kind::kBigInt);
  EXPECT_TRUE(magic.root()->int_equals_hex("0x1950a86a20f9469cfc6c"));
  EXPECT_FALSE(magic.root()->int_equals_hex("0x1950a86a20f9469cfc6d"));
  EXPECT_EQ(magic.end(), 15U);

  options.offset = magic.end();
  const Document protocol = load(bytes, policy, options);
  EXPECT_EQ(protocol.root()->as_int(), 1001);

  options.offset = protocol.end();
  const Document sys_info = load(bytes, policy, options);
  EXPECT_EQ(sys_info.root()->get("protocol_version")->as_int(), 1001);
  EXPECT_EQ(sys_info.root()->get("little_endian")->as_bool(), true);
  EXPECT_EQ(describe(*sys_info.root()->get("type_sizes")), "{'short': 2, 'int': 4, 'long': 4}");

  options.offset = sys_info.end();
  const Document state_dict = load(bytes, policy, options);
  EXPECT_EQ(state_dict.root()->qualified_name(), "collections.OrderedDict");
  EXPECT_EQ(state_dict.root()->entries.size(), 42U);
  EXPECT_EQ(describe(*state_dict.root()->get("classifier.bias")), "tensor(2,)");
  EXPECT_EQ(policy.storages, 42);

  options.offset = state_dict.end();
  const Document keys = load(bytes, policy, options);
  ASSERT_TRUE(keys.root()->is_list());
  ASSERT_EQ(keys.root()->items.size(), 42U);
  EXPECT_EQ(keys.root()->items[0]->as_string_view(), "596108416");
  EXPECT_EQ(keys.end(), 5804U);  // the raw storages follow
}

}  // namespace
}  // namespace cola::pickle
