#include "checkpoint/checkpoint_source.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <set>

#include "checkpoint/safetensors.h"
#include "checkpoint/torch_file.h"
#include "checkpoint/weight_plan.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "hub/download.h"
#include "hub/repo_id.h"
#include "spec/names.h"

namespace cola::checkpoint {
namespace fs = std::filesystem;
namespace {

using Json = nlohmann::json;

struct ConfigFiles {
  fs::path config, vocab, tokenizer;  // tokenizer empty when absent
};

ConfigFiles config_files_in(const fs::path& dir) {
  ConfigFiles f{dir / kConfigFile, dir / kVocabFile, {}};
  if (fs::exists(dir / kTokenizerConfigFile)) f.tokenizer = dir / kTokenizerConfigFile;
  return f;
}

// A config given apart from the weights: a config.json, a directory holding it, or a Hub id
// (of which only the config and tokenizer files are fetched).
ConfigFiles resolve_config(const std::string& ref, const std::string& what) {
  const fs::path p(ref);
  if (fs::is_regular_file(p)) {
    ConfigFiles f = config_files_in(p.parent_path());
    f.config = p;
    return f;
  }
  if (fs::is_directory(p)) return config_files_in(p);
  if (hub::is_hub_reference(ref)) {
    const auto snapshot =
        hub::fetch(*hub::parse_repo_id(ref), hub::Need::kConfigOnly, hub::Settings::from_env());
    return config_files_in(snapshot.dir);
  }
  throw Error(
      fmt::format("{} '{}': no such file or directory, and not a Hugging Face Hub id", what, ref));
}

bool is_safetensors(const fs::path& p) { return p.extension() == ".safetensors"; }
bool is_index(const fs::path& p) { return p.filename().string().ends_with(".index.json"); }

Weights read_torch_state_dict(const torch_file::TorchFile& file, std::vector<std::string>& notes) {
  std::vector<std::string> skipped;
  Weights w = torch_file::state_dict_weights(file, torch_file::find_state_dict(file), &skipped);
  if (!skipped.empty()) {
    notes.push_back(fmt::format("{}: ignored {} state-dict entries that are not tensors: {}",
                                file.source(), skipped.size(), fmt::join(skipped, ", ")));
  }
  return w;
}

Weights read_weights_file(const fs::path& path, std::vector<std::string>& notes) {
  if (is_safetensors(path)) return safetensors::File::read(path).weights();
  return read_torch_state_dict(torch_file::TorchFile::read(path), notes);
}

// A sharded checkpoint: {"metadata": {...}, "weight_map": {"<tensor>": "<shard file>"}}, the
// shards beside the index (transformers' modeling_utils load_sharded_checkpoint).
Weights read_index(const fs::path& index, std::vector<fs::path>& files,
                   std::vector<std::string>& notes) {
  const Json json = Json::parse(read_file(index), nullptr, false);
  if (!json.is_object() || !json.contains("weight_map") || !json["weight_map"].is_object()) {
    throw Error(index.string() + ": not a sharded-checkpoint index (no \"weight_map\" object)");
  }
  std::map<std::string, std::vector<std::string>> by_shard;  // shard -> tensors it should hold
  for (const auto& [tensor, shard] : json["weight_map"].items()) {
    if (!shard.is_string()) throw Error(index.string() + ": weight_map values must be file names");
    const auto name = shard.get<std::string>();
    if (name.empty() || name.find("..") != std::string::npos || name.front() == '/') {
      throw Error(fmt::format("{}: shard name '{}' leaves the checkpoint's directory",
                              index.string(), name));
    }
    by_shard[name].push_back(tensor);
  }
  Weights all;
  all.source = index.string();
  for (const auto& [shard, tensors] : by_shard) {
    const fs::path path = index.parent_path() / shard;
    Weights w = with_context(index.string(), [&] { return read_weights_file(path, notes); });
    for (const auto& name : tensors) {
      if (w.find(name) == nullptr) {
        throw Error(fmt::format("{}: names tensor '{}' in shard {}, which does not hold it",
                                index.string(), name, shard));
      }
    }
    for (auto& t : w.tensors) all.tensors.push_back(std::move(t));
    files.push_back(path);
  }
  files.push_back(index);
  all.sort_and_check_unique();
  return all;
}

// The weights of a Hugging Face directory, in transformers' order of preference.
fs::path directory_weights(const fs::path& dir) {
  for (const char* name :
       {kWeightsFile, kSafetensorsIndexFile, kTorchWeightsFile, kTorchIndexFile}) {
    if (fs::is_regular_file(dir / name)) return dir / name;
  }
  std::vector<std::string> held;
  for (const auto& e : fs::directory_iterator(dir)) held.push_back(e.path().filename().string());
  std::sort(held.begin(), held.end());
  throw Error(fmt::format("{}: no weights: expected {}, {}, {} or {} (it holds: {})", dir.string(),
                          kWeightsFile, kSafetensorsIndexFile, kTorchWeightsFile, kTorchIndexFile,
                          held.empty() ? "nothing" : fmt::format("{}", fmt::join(held, ", "))));
}

// A missing "models/best-checkpoint.ckpt" is a mistyped path, not a Hub repo of that name.
bool looks_like_a_file(const fs::path& p) {
  for (const char* ext : {".ckpt", ".bin", ".pt", ".pth", ".safetensors", ".json", ".onnx"}) {
    if (p.extension() == ext) return true;
  }
  return false;
}

bool is_lightning(const pickle::Value& root) {
  return torch_file::lookup(root, "state_dict") != nullptr &&
         (torch_file::lookup(root, "pytorch-lightning_version") != nullptr ||
          torch_file::lookup(root, "hyper_parameters") != nullptr);
}

// The model a Lightning checkpoint was fine-tuned from: hyper_parameters.model_name, as the
// LightningModule passes it to from_pretrained.
std::string lightning_model_name(const torch_file::TorchFile& file) {
  const pickle::Value* hp = torch_file::lookup(file.root(), "hyper_parameters");
  for (const char* key : {"model_name", "model_name_or_path", "pretrained_model_name_or_path"}) {
    const pickle::Value* v = hp != nullptr ? torch_file::lookup(*hp, key) : nullptr;
    if (v != nullptr && v->is_string() && !v->as_string_view().empty()) {
      return std::string(v->as_string_view());
    }
  }
  throw Error(file.source() +
              ": a Lightning checkpoint holds weights only, and its hyper_parameters name no "
              "model_name to take the config from: pass --config (a config.json, or a directory "
              "with config.json and vocab.txt)");
}

// Reads a checkpoint's parts into `src`: the config files first (so that a directory missing
// everything says so about config.json), then the weights, then the labels, which may need the
// classifier's row count.
class Opener {
 public:
  Opener(CheckpointSource& src, const SourceOptions& options) : src_(src), options_(options) {}

  void directory(const fs::path& dir, const ConfigFiles* config) {
    read_configs(config != nullptr ? *config : config_files_in(dir));
    if (options_.read_weights) {
      const fs::path weights = directory_weights(dir);
      src_.description = "a Hugging Face directory (" + weights.filename().string() + ")";
      if (is_index(weights)) {
        src_.weights = read_index(weights, src_.weight_files, src_.notes);
      } else {
        src_.weights = read_weights_file(weights, src_.notes);
        src_.weight_files.push_back(weights);
      }
    }
    resolve_labels();
  }

  void file(const fs::path& path, const ConfigFiles* config) {
    const ConfigFiles beside = config_files_in(path.parent_path());
    if (is_index(path) || is_safetensors(path)) {
      read_configs(config != nullptr ? *config : beside);
      src_.description = is_index(path) ? "a sharded-checkpoint index" : "a safetensors file";
      if (is_index(path)) {
        src_.weights = read_index(path, src_.weight_files, src_.notes);
      } else {
        src_.weights = safetensors::File::read(path).weights();
        src_.weight_files.push_back(path);
      }
      return resolve_labels();
    }
    const auto file = torch_file::TorchFile::read(path);
    src_.weight_files.push_back(path);
    const char* format = file.format() == torch_file::Format::kZip ? "zip" : "legacy";
    if (!is_lightning(file.root())) {
      src_.description = fmt::format("a torch.save file ({})", format);
      src_.weights = read_torch_state_dict(file, src_.notes);
      read_configs(config != nullptr ? *config : beside);
      return resolve_labels();
    }
    src_.description = fmt::format("a Lightning checkpoint ({})", format);
    src_.weights =
        torch_file::state_dict_weights(file, *torch_file::lookup(file.root(), "state_dict"));
    if (config != nullptr) {
      read_configs(*config);
    } else {
      const std::string model_name = lightning_model_name(file);
      log::info("{}: the config and tokenizer come from its hyper_parameters.model_name '{}'",
                path.string(), model_name);
      read_configs(
          with_context("its config, from hyper_parameters.model_name (--config gives it instead)",
                       [&] { return resolve_config(model_name, "hyper_parameters.model_name"); }));
    }
    resolve_labels();
  }

 private:
  void read_configs(const ConfigFiles& files) {
    src_.config_path = files.config;
    src_.vocab_path = files.vocab;
    src_.tokenizer_path = files.tokenizer;
    const std::string text = read_file(files.config);
    src_.config = spec::BertConfig::from_json(text, files.config.string());
    const Json json = Json::parse(text, nullptr, false);
    has_labels_ = json.contains("id2label") || json.contains("num_labels");
    if (!files.tokenizer.empty()) {
      src_.tokenizer =
          spec::TokenizerConfig::from_json(read_file(files.tokenizer), files.tokenizer.string());
    } else {
      src_.notes.push_back(files.config.parent_path().string() + ": no " + kTokenizerConfigFile +
                           ": using BertTokenizer defaults (uncased, 512 tokens)");
    }
  }

  void resolve_labels() {
    const StoredTensor* head = find_mapped(src_.weights, spec::names::kClassifierWeight);
    const int64_t rows = head != nullptr && head->shape.size() == 2 ? head->shape[0] : -1;
    auto& labels = src_.config.id2label;
    if (!options_.labels.empty()) {
      if (rows >= 0 && rows != static_cast<int64_t>(options_.labels.size())) {
        throw UsageError(fmt::format("--labels gives {} labels ({}), but {} has {} rows",
                                     options_.labels.size(), fmt::join(options_.labels, ", "),
                                     spec::names::kClassifierWeight, rows));
      }
      labels = options_.labels;
    } else if (!has_labels_) {
      labels.clear();
      for (int64_t i = 0; i < (rows > 0 ? rows : 2); ++i) {
        labels.push_back(fmt::format("LABEL_{}", i));
      }
      // A pretrained encoder without a head has no labels to name: training gives it its own.
      if (rows > 0)
        src_.notes.push_back(
            fmt::format("{}: no id2label: the labels are {}, as transformers names "
                        "them (--labels names them)",
                        src_.config_path.string(), fmt::join(labels, ", ")));
    }
    with_context(src_.config_path.string(), [&] { src_.config.validate(); });
  }

  CheckpointSource& src_;
  const SourceOptions& options_;
  bool has_labels_ = false;
};

}  // namespace

std::vector<std::pair<std::string, fs::path>> CheckpointSource::identity_files() const {
  std::vector<std::pair<std::string, fs::path>> files;
  std::set<std::string> names;
  const auto add = [&](const fs::path& p) {
    if (!p.empty() && fs::exists(p) && names.insert(p.filename().string()).second) {
      files.emplace_back(p.filename().string(), p);
    }
  };
  add(config_path);
  add(tokenizer_path);
  add(vocab_path);
  for (const auto& w : weight_files) add(w);
  std::sort(files.begin(), files.end());
  return files;
}

CheckpointSource open_checkpoint_source(const std::string& reference,
                                        const SourceOptions& options) {
  CheckpointSource src;
  src.reference = reference;
  with_context("loading checkpoint " + reference, [&] {
    std::optional<ConfigFiles> config;
    if (!options.config.empty()) config = resolve_config(options.config, "--config");
    const ConfigFiles* given = config ? &*config : nullptr;
    const fs::path path(reference);
    Opener open(src, options);
    if (fs::is_directory(path)) {
      open.directory(path, given);
    } else if (fs::is_regular_file(path)) {
      open.file(path, given);
    } else if (!looks_like_a_file(path) && hub::is_hub_reference(reference)) {
      const auto repo = *hub::parse_repo_id(reference);
      const auto snapshot =
          hub::fetch(repo, options.read_weights ? hub::Need::kModel : hub::Need::kConfigOnly,
                     hub::Settings::from_env());
      open.directory(snapshot.dir, given);
      src.description += fmt::format(" from the Hub, {}@{}", repo.repo_id, snapshot.commit);
    } else {
      throw Error("no such file or directory, and not a Hugging Face Hub id (org/name)");
    }
  });
  for (const auto& note : src.notes) log::warn("{}", note);
  return src;
}

}  // namespace cola::checkpoint
