#pragma once
// `cola web`: a static site that classifies sentences in the browser with an exported model, on
// onnxruntime-web's WebAssembly. The page reads the vocabulary, the tokenizer's settings and the
// labels from the .onnx's metadata, as `cola predict` does, so the model file is the only input.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cola::web {

struct SiteOptions {
  std::filesystem::path model;        // a `cola export` (or `cola quantize`) .onnx
  std::filesystem::path output;       // the site's directory; created, its files replaced
  std::filesystem::path ort_web_dir;  // onnxruntime-web's files; empty: default_ort_web_dir()
};

struct Site {
  std::filesystem::path dir;
  std::string model_sha256;
  std::vector<std::string> labels;
  uint64_t model_bytes = 0;
  uint64_t total_bytes = 0;  // every file of the site, the model included
};

/// $COLA_ORT_WEB_DIR, else an installed cola's share/cola/onnxruntime-web, else the cache this
/// build was configured with.
std::filesystem::path default_ort_web_dir();

/// Checks that the page can run the model (an ONNX file with a vocabulary in its metadata and
/// only the inputs BERT takes), then writes index.html, its scripts, the model as model.onnx and
/// onnxruntime-web's files into options.output, each atomically. Throws Error naming the file or
/// the key at fault.
Site write_site(const SiteOptions& options);

}  // namespace cola::web
