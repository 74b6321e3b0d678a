// Which files a need asks for: from_pretrained's order of weights files.
#include "hub/select.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/error.h"
#include "support/error_message.h"

namespace cola::hub {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Selection pick(Need need, const std::set<std::string>& repo,
               const std::map<std::string, std::string>& texts = {}) {
  return select_files(
      need, [&](const std::string& name) { return repo.contains(name); },
      [&](const std::string& name) { return texts.at(name); });
}

TEST(Select, SafetensorsFirst) {
  const auto s = pick(Need::kModel, {"config.json", "vocab.txt", "tokenizer_config.json",
                                     "model.safetensors", "pytorch_model.bin", "README.md"});
  EXPECT_THAT(s.files, ElementsAre("config.json", "vocab.txt", "tokenizer_config.json",
                                   "model.safetensors"));
  EXPECT_THAT(s.absent, IsEmpty());
  EXPECT_THAT(s.missing, IsEmpty());
}

TEST(Select, ThenTheShardedIndexWithEveryShard) {
  const std::string index =
      R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",
          "b": "model-00002-of-00002.safetensors", "c": "model-00001-of-00002.safetensors"}})";
  const auto s = pick(Need::kModel,
                      {"config.json", "vocab.txt", "model.safetensors.index.json",
                       "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"},
                      {{"model.safetensors.index.json", index}});
  EXPECT_THAT(s.files,
              ElementsAre("config.json", "vocab.txt", "model.safetensors.index.json",
                          "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"));
  EXPECT_THAT(s.absent, ElementsAre("tokenizer_config.json", "model.safetensors"));
  // A shard the index names and the repo lacks is missing.
  const auto partial = pick(Need::kModel,
                            {"config.json", "vocab.txt", "model.safetensors.index.json",
                             "model-00001-of-00002.safetensors"},
                            {{"model.safetensors.index.json", index}});
  EXPECT_THAT(partial.missing, ElementsAre("model-00002-of-00002.safetensors"));
}

TEST(Select, ThenPytorchModelBinThenItsIndex) {
  auto s = pick(Need::kModel, {"config.json", "vocab.txt", "pytorch_model.bin"});
  EXPECT_EQ(s.files.back(), "pytorch_model.bin");
  EXPECT_THAT(s.absent, ElementsAre("tokenizer_config.json", "model.safetensors",
                                    "model.safetensors.index.json"));
  s = pick(Need::kModel, {"config.json", "vocab.txt", "pytorch_model.bin.index.json", "p1.bin"},
           {{"pytorch_model.bin.index.json", R"({"weight_map": {"w": "p1.bin"}})"}});
  EXPECT_THAT(s.files,
              ElementsAre("config.json", "vocab.txt", "pytorch_model.bin.index.json", "p1.bin"));
}

TEST(Select, NoWeightsOrNoConfigIsMissing) {
  const auto s = pick(Need::kModel, {"config.json", "tf_model.h5"});
  EXPECT_THAT(s.missing, ElementsAre("vocab.txt",
                                     "weights (model.safetensors, model.safetensors.index.json, "
                                     "pytorch_model.bin, pytorch_model.bin.index.json)"));
}

TEST(Select, ConfigOnlyTakesNoWeights) {
  const auto s = pick(Need::kConfigOnly, {"config.json", "vocab.txt", "model.safetensors"});
  EXPECT_THAT(s.files, ElementsAre("config.json", "vocab.txt"));
  EXPECT_THAT(s.absent, ElementsAre("tokenizer_config.json"));
}

TEST(Select, IndexShardsAreCheckedFileNames) {
  EXPECT_EQ(test::error_message<Error>([] {
              index_shards(R"({"weight_map": {"w": "../../x.bin"}})",
                           "pytorch_model.bin.index.json");
            }),
            "pytorch_model.bin.index.json: invalid file name '../../x.bin' in the repo: a '..' "
            "path segment");
  EXPECT_THAT(test::error_message<Error>([] { index_shards("{}", "m.index.json"); }),
              ::testing::StartsWith("m.index.json: "));
}

}  // namespace
}  // namespace cola::hub
