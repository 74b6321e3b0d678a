// Settings read from the variables huggingface_hub reads (constants.py, utils/_auth.py).
#include "hub/settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "core/file.h"
#include "support/error_message.h"
#include "support/shared_data.h"

namespace cola::hub {
namespace {

Settings from(const std::map<std::string, std::string>& env) {
  return Settings::from_env([&](const std::string& name) -> std::optional<std::string> {
    const auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
}

TEST(Settings, CacheDirFollowsConstantsPy) {
  EXPECT_EQ(from({{"HOME", "/home/u"}}).cache_dir, "/home/u/.cache/huggingface/hub");
  EXPECT_EQ(from({{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/xdg"}}).cache_dir,
            "/xdg/huggingface/hub");
  EXPECT_EQ(from({{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/xdg"}, {"HF_HOME", "/hf"}}).cache_dir,
            "/hf/hub");
  EXPECT_EQ(from({{"HF_HOME", "/hf"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"}}).cache_dir, "/legacy");
  EXPECT_EQ(
      from({{"HF_HOME", "/hf"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"}, {"HF_HUB_CACHE", "/cache"}})
          .cache_dir,
      "/cache");
  // expanduser and expandvars, as Python applies them.
  EXPECT_EQ(from({{"HOME", "/home/u"}, {"HF_HUB_CACHE", "~/hub"}}).cache_dir, "/home/u/hub");
  EXPECT_EQ(from({{"HOME", "/home/u"}, {"SCRATCH", "/s"}, {"HF_HOME", "${SCRATCH}/hf"}}).cache_dir,
            "/s/hf/hub");
  EXPECT_EQ(from({{"HF_HUB_CACHE", "$UNSET/hub"}}).cache_dir, "$UNSET/hub");
  EXPECT_EQ(from({{"HOME", "/home/u"}, {"HF_HUB_CACHE", ""}}).cache_dir,
            "/home/u/.cache/huggingface/hub");  // empty counts as unset
}

TEST(Settings, EndpointAndOffline) {
  EXPECT_EQ(from({}).endpoint, "https://huggingface.co");
  EXPECT_EQ(from({{"HF_ENDPOINT", "http://127.0.0.1:8080//"}}).endpoint, "http://127.0.0.1:8080");
  EXPECT_FALSE(from({}).offline);
  for (const char* yes : {"1", "ON", "yes", "True"}) {
    EXPECT_TRUE(from({{"HF_HUB_OFFLINE", yes}}).offline) << yes;
  }
  EXPECT_FALSE(from({{"HF_HUB_OFFLINE", "0"}}).offline);
  const Settings legacy = from({{"TRANSFORMERS_OFFLINE", "1"}});
  EXPECT_TRUE(legacy.offline);
  EXPECT_EQ(legacy.offline_variable, "TRANSFORMERS_OFFLINE");
  // `HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE`: a set HF_HUB_OFFLINE decides, even when false.
  EXPECT_FALSE(from({{"HF_HUB_OFFLINE", "0"}, {"TRANSFORMERS_OFFLINE", "1"}}).offline);
}

TEST(Settings, TokenPrecedenceIsHfTokenThenHuggingFaceHubTokenThenTheTokenFile) {
  test::TempDir home;
  write_file_atomic(home / "token", "hf_from_file\n");
  write_file_atomic(home / "other_token", "  hf_from_token_path \r\n");
  const std::string hf_home = home.path().string();
  EXPECT_EQ(from({{"HF_HOME", hf_home}}).token, "hf_from_file");
  EXPECT_EQ(from({{"HF_HOME", hf_home}, {"HF_TOKEN_PATH", (home / "other_token").string()}}).token,
            "hf_from_token_path");
  EXPECT_EQ(from({{"HF_HOME", hf_home}, {"HUGGING_FACE_HUB_TOKEN", "hf_legacy"}}).token,
            "hf_legacy");
  EXPECT_EQ(
      from({{"HF_HOME", hf_home}, {"HUGGING_FACE_HUB_TOKEN", "hf_legacy"}, {"HF_TOKEN", "hf_env"}})
          .token,
      "hf_env");
  // An empty or blank variable gives no token, and the next source is asked.
  EXPECT_EQ(
      from({{"HF_HOME", hf_home}, {"HF_TOKEN", ""}, {"HUGGING_FACE_HUB_TOKEN", "hf_legacy"}}).token,
      "hf_legacy");
  EXPECT_EQ(from({{"HF_HOME", hf_home}, {"HF_TOKEN", " \n"}}).token, "hf_from_file");
  EXPECT_EQ(from({{"HF_HOME", (home / "nowhere").string()}}).token, std::nullopt);
}

TEST(Settings, TimeoutsAndTheirErrors) {
  const Settings s = from({{"HF_HUB_ETAG_TIMEOUT", "3"}, {"HF_HUB_DOWNLOAD_TIMEOUT", "60"}});
  EXPECT_EQ(s.etag_timeout_s, 3);
  EXPECT_EQ(s.download_timeout_s, 60);
  EXPECT_EQ(from({}).etag_timeout_s, 10);
  EXPECT_EQ(test::error_message<UsageError>([] {
              from({{"HF_HUB_ETAG_TIMEOUT", "soon"}});
            }),
            "HF_HUB_ETAG_TIMEOUT=soon: expected a whole number of seconds > 0");
}

TEST(Settings, CleanTokenAndIsTrue) {
  EXPECT_EQ(clean_token(" hf_a\r\nb \n"), "hf_ab");
  EXPECT_EQ(clean_token(" \n"), std::nullopt);
  EXPECT_TRUE(is_true("yEs"));
  EXPECT_FALSE(is_true("y"));
}

}  // namespace
}  // namespace cola::hub
