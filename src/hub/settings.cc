#include "hub/settings.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace cola::hub {
namespace fs = std::filesystem;

namespace {

// An empty variable counts as unset (Python would use "" as a path: the current directory).
std::optional<std::string> get(const Settings::Getenv& getenv, const std::string& name) {
  auto value = getenv(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string home_dir(const Settings::Getenv& getenv) {
  if (auto home = get(getenv, "HOME")) return *home;
  const passwd* pw = ::getpwuid(::getuid());  // os.path.expanduser's fallback
  return pw != nullptr && pw->pw_dir != nullptr ? pw->pw_dir : "/";
}

// os.path.expandvars(os.path.expanduser(value)), as constants.py applies to every path variable:
// a leading "~" or "~/" becomes $HOME; $NAME and ${NAME} of set variables are substituted.
std::string expand(const std::string& value, const Settings::Getenv& getenv) {
  std::string s = value;
  if (s == "~" || s.starts_with("~/")) s = home_dir(getenv) + s.substr(1);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$') {
      out += s[i];
      continue;
    }
    const bool braced = i + 1 < s.size() && s[i + 1] == '{';
    size_t j = i + (braced ? 2 : 1);
    const size_t name_start = j;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) != 0 || s[j] == '_'))
      ++j;
    const std::string name = s.substr(name_start, j - name_start);
    const bool closed = !braced || (j < s.size() && s[j] == '}');
    const auto found = name.empty() || !closed ? std::nullopt : getenv(name);
    if (!found) {  // unknown variables stay as written, as in Python
      out += s[i];
      continue;
    }
    out += *found;
    i = braced ? j : j - 1;
  }
  return out;
}

std::optional<std::string> read_token_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::nullopt;  // not logged in: _get_token_from_file
    throw Error(fmt::format("cannot read the Hub token file {}", path.string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return clean_token(text.str());
}

int timeout_seconds(const Settings::Getenv& getenv, const std::string& name, int fallback) {
  const auto value = get(getenv, name);
  if (!value) return fallback;
  try {
    size_t used = 0;
    const int seconds = std::stoi(*value, &used);
    if (used == value->size() && seconds > 0) return seconds;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("{}={}: expected a whole number of seconds > 0", name, *value));
}

}  // namespace

bool is_true(std::string_view value) {
  std::string upper(value);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return upper == "1" || upper == "ON" || upper == "YES" || upper == "TRUE";
}

std::optional<std::string> clean_token(std::string_view token) {
  std::string s;
  for (const char c : token) {
    if (c != '\r' && c != '\n') s += c;
  }
  const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  const auto first = std::find_if_not(s.begin(), s.end(), space);
  const auto last = std::find_if_not(s.rbegin(), s.rend(), space).base();
  if (first >= last) return std::nullopt;
  return std::string(first, last);
}

fs::path hf_home(const Settings::Getenv& getenv) {
  if (auto home = get(getenv, "HF_HOME")) return expand(*home, getenv);
  const std::string cache = get(getenv, "XDG_CACHE_HOME").value_or(home_dir(getenv) + "/.cache");
  return expand(cache + "/huggingface", getenv);
}

Settings Settings::from_env(const Getenv& getenv) {
  Settings s;
  const fs::path home = hf_home(getenv);
  // HF_HUB_CACHE, then the legacy HUGGINGFACE_HUB_CACHE, then $HF_HOME/hub (constants.py).
  if (auto dir = get(getenv, "HF_HUB_CACHE")) {
    s.cache_dir = expand(*dir, getenv);
  } else if (auto legacy = get(getenv, "HUGGINGFACE_HUB_CACHE")) {
    s.cache_dir = expand(*legacy, getenv);
  } else {
    s.cache_dir = home / "hub";
  }
  if (auto endpoint = get(getenv, "HF_ENDPOINT")) {
    s.endpoint = *endpoint;
    while (s.endpoint.ends_with('/')) s.endpoint.pop_back();  // .rstrip("/")
  }
  // `HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE`: the first one that is set decides.
  if (auto offline = get(getenv, "HF_HUB_OFFLINE")) {
    s.offline = is_true(*offline);
  } else if (auto legacy = get(getenv, "TRANSFORMERS_OFFLINE")) {
    s.offline = is_true(*legacy);
    s.offline_variable = "TRANSFORMERS_OFFLINE";
  }
  // Token order of utils/_auth.py get_token(): HF_TOKEN, HUGGING_FACE_HUB_TOKEN, the token file.
  const auto env_token =
      get(getenv, "HF_TOKEN") ? get(getenv, "HF_TOKEN") : get(getenv, "HUGGING_FACE_HUB_TOKEN");
  s.token = env_token ? clean_token(*env_token) : std::nullopt;
  if (!s.token) {
    const auto path = get(getenv, "HF_TOKEN_PATH");
    s.token = read_token_file(path ? fs::path(expand(*path, getenv)) : home / "token");
  }
  s.etag_timeout_s = timeout_seconds(getenv, "HF_HUB_ETAG_TIMEOUT", s.etag_timeout_s);
  s.download_timeout_s = timeout_seconds(getenv, "HF_HUB_DOWNLOAD_TIMEOUT", s.download_timeout_s);
  return s;
}

Settings Settings::from_env() {
  return from_env([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value == nullptr ? std::nullopt : std::optional<std::string>(value);
  });
}

}  // namespace cola::hub
