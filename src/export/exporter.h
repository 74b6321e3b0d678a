#pragma once
// `cola export`: a checkpoint directory -> one self-contained, validated .onnx file.
//
//   exporter::ExportRequest request{.checkpoint = "run/checkpoints/best", .output = "model.onnx"};
//   const auto result = exporter::export_checkpoint(request);   // result.sha256, result.validation
#include "export/options.h"

namespace cola::exporter {

/// Loads the checkpoint, builds the graph, validates it (unless options.validate is false) and
/// writes the file atomically, only once validation passed. Throws UsageError for bad options and
/// Error for a missing or corrupt checkpoint, a config the graph cannot express, an unwritable
/// output, a model over 2 GB, or a failed validation (request.on_validated sees the table first).
ExportResult export_checkpoint(const ExportRequest& request);

}  // namespace cola::exporter
