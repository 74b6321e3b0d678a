// The labelled-data readers (CoLA TSV, GLUE TSV, JSONL) on arbitrary content: a bad row is an
// Error naming its line, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/schema.h"
#include "core/error.h"
#include "data/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  for (const char* name : {"fuzz.tsv", "fuzz.jsonl"}) {
    for (const char* on_bad : {"error", "skip"}) {
      cola::config::DataConfig cfg;
      cfg.on_bad_row = on_bad;
      try {
        cola::data::parse_split(content, name, cfg);
      } catch (const cola::Error&) {
      } catch (const cola::UsageError&) {
      }
    }
  }
  return 0;
}
