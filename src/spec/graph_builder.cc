#include "spec/graph_builder.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace cola::spec {

Value GraphBuilder::constant(const std::vector<int64_t>& values,
                             const std::vector<int64_t>& shape) {
  // Named by content so that a reader of the graph sees the value: "const/i64[0,0,2,8]" for a
  // 1-d tensor, "const/i64(0)" for a scalar.
  std::string key = shape.empty() ? fmt::format("const/i64({})", fmt::join(values, ","))
                                  : fmt::format("const/i64[{}]", fmt::join(values, ","));
  if (shape.size() > 1) key += fmt::format("/{}", fmt::join(shape, "x"));
  if (const auto it = constants_.find(key); it != constants_.end()) return it->second;
  return constants_[key] = initializer(key, values, shape);
}

Value GraphBuilder::constant(float value) {
  // {:g} would merge nearby values (1e-12 and 1.0000001e-12); 9 significant digits round-trip.
  const std::string key = fmt::format("const/f32({:.9g})", value);
  if (const auto it = constants_.find(key); it != constants_.end()) return it->second;
  return constants_[key] = initializer(key, std::span<const float>(&value, 1), {});
}

std::string GraphBuilder::scoped(std::string_view leaf) const {
  return scope_.empty() ? std::string(leaf) : scope_ + "." + std::string(leaf);
}

std::string GraphBuilder::fresh_name(std::string_view op_type) {
  const std::string base = (scope_.empty() ? std::string() : scope_ + "/") + std::string(op_type);
  std::string name = base;
  for (int i = 1; used_names_.contains(name); ++i) name = fmt::format("{}_{}", base, i);
  return name;
}

void GraphBuilder::claim_name(const std::string& name) {
  if (!used_names_.insert(name).second) {
    throw Error("ONNX graph: the name '" + name + "' is used twice");
  }
}

GraphBuilder::Scope::Scope(GraphBuilder& builder, std::string_view segment)
    : builder_(builder), previous_size_(builder.scope_.size()) {
  builder_.scope_ = builder_.scoped(segment);
}

GraphBuilder::Scope::~Scope() { builder_.scope_.resize(previous_size_); }

}  // namespace cola::spec
