#pragma once
// model::GraphBuilder over libonnx's protobuf types: the onnx.helper of cola. Tensors go in as
// raw little-endian bytes; every node is in the default domain.
#include <onnx/onnx_pb.h>

#include <string>
#include <utility>
#include <vector>

#include "graph/io.h"
#include "spec/graph_builder.h"

namespace cola::exporter {

/// Key/value pairs for ModelProto.metadata_props, in the order given.
using Metadata = std::vector<std::pair<std::string, std::string>>;

/// The model-level fields around the graph.
struct ModelInfo {
  std::string graph_name;        // GraphProto.name
  std::string doc_string;        // GraphProto.doc_string: what the graph computes
  std::string producer_version;  // ModelProto.producer_version (producer_name is "cola")
  Metadata metadata;             // ModelProto.metadata_props
};

class OnnxGraphBuilder final : public spec::GraphBuilder {
 public:
  explicit OnnxGraphBuilder(spec::GraphOptions options) : options_(options) {}

  const spec::GraphOptions& options() const override { return options_; }
  spec::Value input(const std::string& name, spec::ElemType type,
                    const std::vector<spec::Dim>& dims) override;
  void output(const spec::Value& value, spec::ElemType type,
              const std::vector<spec::Dim>& dims) override;
  spec::Value initializer(const std::string& name, std::span<const float> data,
                          const std::vector<int64_t>& shape) override;
  spec::Value initializer(const std::string& name, std::span<const int64_t> data,
                          const std::vector<int64_t>& shape) override;
  spec::Value node(const std::string& op_type, const std::vector<spec::Value>& inputs,
                   const std::vector<spec::Attr>& attrs = {},
                   const std::string& output = {}) override;

  /// The finished model; the builder is left empty.
  onnx::ModelProto finish(ModelInfo info);

 private:
  spec::Value add_initializer(const std::string& name, int32_t data_type, const void* data,
                              size_t bytes, const std::vector<int64_t>& shape);

  spec::GraphOptions options_;
  onnx::GraphProto graph_;
};

/// `model` as bytes, deterministically (graph/io.h).
using graph::serialize;

}  // namespace cola::exporter
