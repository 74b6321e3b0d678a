#include "graph/io.h"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>

#include "core/error.h"

namespace cola::graph {

std::string serialize(const onnx::ModelProto& model) {
  const size_t size = model.ByteSizeLong();
  if (size > static_cast<size_t>(INT_MAX)) {
    throw Error(fmt::format(
        "the model needs {:.2f} GB, over protobuf's 2 GB limit for one ONNX file (external "
        "data files are not supported yet)",
        static_cast<double>(size) / 1e9));
  }
  std::string bytes;
  bytes.reserve(size);
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);  // no map fields today; this keeps it so
    model.SerializeToCodedStream(&coded);
    if (coded.HadError()) throw Error("serialising the ONNX model failed");
  }
  return bytes;
}

onnx::ModelProto parse_model(std::string_view bytes, const std::string& name) {
  onnx::ModelProto model;
  if (bytes.size() > static_cast<size_t>(INT_MAX) ||
      !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw Error(name + ": not an ONNX model (the protobuf does not parse)");
  }
  if (!model.has_graph()) throw Error(name + ": not an ONNX model (no graph)");
  return model;
}

std::string metadata_value(const onnx::ModelProto& model, std::string_view key) {
  for (const auto& prop : model.metadata_props()) {
    if (prop.key() == key) return prop.value();
  }
  return {};
}

void set_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  for (auto& prop : *model.mutable_metadata_props()) {
    if (prop.key() == key) {
      prop.set_value(value);
      return;
    }
  }
  auto* prop = model.add_metadata_props();
  prop->set_key(key);
  prop->set_value(value);
}

}  // namespace cola::graph
