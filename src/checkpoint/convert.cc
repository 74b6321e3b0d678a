#include "checkpoint/convert.h"

#include <fmt/format.h>

#include "checkpoint/atomic_dir.h"
#include "checkpoint/safetensors.h"
#include "checkpoint/weight_plan.h"
#include "core/error.h"
#include "core/file.h"

namespace cola::checkpoint {
namespace fs = std::filesystem;
namespace {

void check_output(const fs::path& output, const CheckpointSource& src, bool overwrite) {
  std::error_code ec;
  for (const auto& file : src.identity_files()) {
    if (fs::equivalent(file.second.parent_path(), output, ec)) {
      throw UsageError(
          fmt::format("--output {} is the checkpoint's own directory: converting "
                      "would replace the files it reads; write elsewhere",
                      output.string()));
    }
  }
  if (fs::exists(output) && (!fs::is_directory(output) || !fs::is_empty(output)) && !overwrite) {
    throw UsageError(fmt::format("--output {} exists and is not empty; pass --force to replace it",
                                 output.string()));
  }
}

}  // namespace

ConvertResult convert_checkpoint(const std::string& reference, const fs::path& output,
                                 const SourceOptions& options, bool overwrite) {
  const CheckpointSource src = open_checkpoint_source(reference, options);
  check_output(output, src, overwrite);
  return with_context("converting " + reference, [&] {
    const WeightPlan plan = plan_weights(src.config, src.weights, {.allow_missing_head = true});
    if (!fs::is_regular_file(src.vocab_path)) {
      throw Error(src.vocab_path.string() +
                  ": missing (a converted checkpoint carries its "
                  "vocabulary)");
    }
    // Views straight into the mapped source; only a non-contiguous tensor is gathered first.
    std::vector<std::string> gathered(plan.copies.size());
    std::vector<safetensors::TensorView> views;
    views.reserve(plan.copies.size());
    for (size_t i = 0; i < plan.copies.size(); ++i) {
      const auto& [param, tensor] = plan.copies[i];
      views.push_back(
          {param.name, tensor->dtype, tensor->shape, contiguous_bytes(*tensor, gathered[i])});
    }
    ConvertResult result;
    result.output = output;
    result.description = src.description;
    result.tensors = static_cast<int64_t>(views.size());
    result.head_missing = plan.head_missing;
    result.notes = src.notes;
    result.notes.insert(result.notes.end(), plan.notes.begin(), plan.notes.end());

    AtomicDirectory out(output);
    const fs::path& tmp = out.temp_path();
    write_file_atomic(tmp / kConfigFile, src.config.to_json());
    write_file_atomic(tmp / kTokenizerConfigFile, src.tokenizer.to_json());
    write_file_atomic(tmp / kVocabFile, read_file(src.vocab_path));
    // "format": "pt" tells transformers the tensors are in PyTorch's layout.
    safetensors::write(tmp / kWeightsFile, std::move(views), {{"format", "pt"}});
    result.weight_bytes = fs::file_size(tmp / kWeightsFile);
    out.commit();
    return result;
  });
}

}  // namespace cola::checkpoint
