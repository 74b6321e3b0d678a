// An .onnx file from a stranger, and the metadata `cola predict` reads from it: the tokenizer
// settings, the labels and the vocabulary.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "graph/io.h"
#include "predict/labels.h"
#include "spec/bert_config.h"
#include "spec/names.h"
#include "text/vocab.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace names = cola::spec::names;
  try {
    const auto model =
        cola::graph::parse_model(std::string_view(reinterpret_cast<const char*>(data), size), "f");
    const auto read = [&](auto&& parse, std::string_view key) {
      try {
        parse(cola::graph::metadata_value(model, key));
      } catch (const cola::Error&) {
      } catch (const cola::UsageError&) {
      }
    };
    read([](const std::string& v) { cola::spec::TokenizerConfig::from_json(v, "f"); },
         names::kMetaTokenizer);
    read([](const std::string& v) { cola::predict::parse_id2label(v, "f"); }, names::kMetaId2Label);
    read([](const std::string& v) { cola::text::Vocab::parse(v, "f"); }, names::kMetaVocab);
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  return 0;
}
