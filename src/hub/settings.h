#pragma once
// Where the Hub is and where its cache lives, read from the environment variables that Python's
// huggingface_hub reads (constants.py, utils/_auth.py), so that both share one cache and token.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace cola::hub {

struct Settings {
  std::filesystem::path
      cache_dir;  // HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
  std::string endpoint = "https://huggingface.co";  // HF_ENDPOINT, trailing "/" removed
  std::optional<std::string> token;                 // HF_TOKEN, HUGGING_FACE_HUB_TOKEN, token file
  bool offline = false;                             // HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE
  std::string offline_variable = "HF_HUB_OFFLINE";  // the variable that set `offline` (messages)
  int etag_timeout_s = 10;      // HF_HUB_ETAG_TIMEOUT: connect/read timeout of HEAD and API calls
  int download_timeout_s = 10;  // HF_HUB_DOWNLOAD_TIMEOUT: read timeout while a file streams

  /// Reads the process environment (and the token file).
  static Settings from_env();

  /// Looks a variable up; nullopt when it is unset.
  using Getenv = std::function<std::optional<std::string>(const std::string& name)>;
  /// As from_env(), with variables from `getenv` (tests pass a map).
  static Settings from_env(const Getenv& getenv);
};

/// HF_HOME as constants.py computes it: $HF_HOME, else $XDG_CACHE_HOME/huggingface, else
/// ~/.cache/huggingface; "~" and $VARS expanded.
std::filesystem::path hf_home(const Settings::Getenv& getenv);

/// The token as _clean_token leaves it: "\r" and "\n" removed, spaces trimmed; nullopt if empty.
std::optional<std::string> clean_token(std::string_view token);

/// True for the values constants.py's _is_true accepts: 1, ON, YES, TRUE in any case.
bool is_true(std::string_view value);

}  // namespace cola::hub
