#pragma once
// Reading and writing ONNX files as ModelProto (libonnx's protobuf types).
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace cola::graph {

/// `model` as bytes, deterministically (same model, same bytes). Throws Error when it would pass
/// protobuf's 2 GB limit.
std::string serialize(const onnx::ModelProto& model);

/// Parses `bytes`; `name` (the file) names it in the Error for bytes that are not a ModelProto.
onnx::ModelProto parse_model(std::string_view bytes, const std::string& name);

/// The value of metadata_props[key], or "" when the model has none.
std::string metadata_value(const onnx::ModelProto& model, std::string_view key);

/// Sets metadata_props[key] to `value`, replacing an entry of that key.
void set_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value);

}  // namespace cola::graph
