#include "web/site.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "core/digest.h"
#include "core/error.h"
#include "core/file.h"
#include "core/install_dirs.h"
#include "graph/io.h"
#include "predict/labels.h"
#include "spec/bert_config.h"
#include "spec/names.h"
#include "text/vocab.h"
#include "web/assets.h"

namespace cola::web {
namespace fs = std::filesystem;
namespace {

// What web/app.js fetches besides the page's own files: onnxruntime-web's ES module, its
// Emscripten loader and its WebAssembly, gzipped (scripts/fetch-onnxruntime-web.sh).
constexpr std::array<const char*, 3> kOrtWebFiles = {
    "ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm.gz"};

// The inputs web/app.js can feed: BERT's, all int64.
constexpr std::array<std::string_view, 3> kInputs = {"input_ids", "attention_mask",
                                                     "token_type_ids"};

// The labels the page will show, after checking every piece of metadata it reads.
std::vector<std::string> check_model(const onnx::ModelProto& model, const std::string& file) {
  namespace names = spec::names;
  const auto vocab = graph::metadata_value(model, names::kMetaVocab);
  if (vocab.empty()) {
    throw Error(fmt::format(
        "{}: no vocabulary in the model's metadata (key \"{}\"), and the page reads it from "
        "there: use a model from cola export or cola quantize",
        file, names::kMetaVocab));
  }
  text::Vocab::parse(vocab, file + " metadata \"vocab\"");
  if (const auto t = graph::metadata_value(model, names::kMetaTokenizer); !t.empty()) {
    spec::TokenizerConfig::from_json(t, file + " metadata \"tokenizer_config\"");
  }
  for (const auto& input : model.graph().input()) {
    if (std::find(kInputs.begin(), kInputs.end(), input.name()) == kInputs.end()) {
      throw Error(
          fmt::format("{}: input \"{}\" is not one the page can give (input_ids, attention_mask, "
                      "token_type_ids)",
                      file, input.name()));
    }
  }
  const auto id2label = graph::metadata_value(model, names::kMetaId2Label);
  return id2label.empty() ? std::vector<std::string>{"LABEL_0", "LABEL_1"}
                          : predict::parse_id2label(id2label, file + " metadata \"id2label\"");
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

fs::path default_ort_web_dir() {
  if (const char* dir = std::getenv("COLA_ORT_WEB_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  // An installed cola carries them (cmake/Packaging.cmake); a build tree uses the fetch cache.
  if (const auto data_dir = core::installed_data_dir()) return *data_dir / "onnxruntime-web";
  return COLA_ORT_WEB_DIR;
}

Site write_site(const SiteOptions& options) {
  const std::string file = options.model.string();
  const std::string bytes = read_file(options.model);
  Site site;
  site.labels = check_model(graph::parse_model(bytes, file), file);
  site.model_sha256 = sha256_hex(bytes);
  site.model_bytes = bytes.size();
  site.dir = options.output;

  const fs::path ort = options.ort_web_dir.empty() ? default_ort_web_dir() : options.ort_web_dir;
  std::vector<std::pair<std::string, std::string>> ort_files;
  for (const char* name : kOrtWebFiles) {
    if (!fs::is_regular_file(ort / name)) {
      throw Error(
          fmt::format("{}: missing (run scripts/fetch-onnxruntime-web.sh, or set "
                      "COLA_ORT_WEB_DIR to onnxruntime-web's files)",
                      (ort / name).string()));
    }
    ort_files.emplace_back(name, read_file(ort / name));
  }

  std::error_code ec;
  fs::create_directories(options.output, ec);
  if (!fs::is_directory(options.output)) {
    throw Error(fmt::format("{}: cannot create the site's directory{}", options.output.string(),
                            ec ? ": " + ec.message() : ""));
  }
  const auto put = [&](const std::string& name, std::string_view content) {
    write_file_atomic(options.output / name, content);
    site.total_bytes += content.size();
  };
  for (const auto& asset : assets()) {
    put(std::string(asset.name),
        asset.name == "index.html"
            ? replace_all(std::string(asset.content), "@MODEL_SHA256@", site.model_sha256)
            : std::string(asset.content));
  }
  put("model.onnx", bytes);
  for (const auto& [name, content] : ort_files) put(name, content);
  return site;
}

}  // namespace cola::web
