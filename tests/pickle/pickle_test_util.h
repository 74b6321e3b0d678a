#pragma once
// Shared by the pickle tests: loading byte literals, and a Policy that stands in for a torch
// reader (persistent ids and _rebuild_tensor_v2 become placeholders, the rest goes to the base).
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "pickle/unpickler.h"
#include "support/error_message.h"

namespace cola::pickle::test {

/// Loads `bytes` named "test.pkl" with `policy` (the base one when null) and `limits`.
inline Document load_bytes(std::string_view bytes, Policy* policy = nullptr,
                           const Limits& limits = {}) {
  Policy base;
  LoadOptions options;
  options.source = "test.pkl";
  options.limits = limits;
  return load(bytes, policy != nullptr ? *policy : base, options);
}

/// The cola::Error message of loading `bytes` as load_bytes() does, or "" when it loads.
inline std::string load_error(std::string_view bytes, Policy* policy = nullptr,
                              const Limits& limits = {}) {
  return cola::test::error_message<Error>([&] { load_bytes(bytes, policy, limits); });
}

/// An External that only describes itself.
struct Placeholder : External {
  explicit Placeholder(std::string description) : text(std::move(description)) {}
  std::string describe() const override { return text; }
  std::string text;
};

/// Persistent ids ('storage', torch.FloatStorage, key, location, numel) become "<storage KEY>";
/// torch._utils._rebuild_tensor_v2(storage, offset, size, ...) becomes "tensor(SIZE)"; every
/// other call goes to the base policy.
class PlaceholderTorchPolicy : public Policy {
 public:
  Value* persistent_load(Document& doc, const Value& pid, const Where& /*where*/) override {
    ++storages;
    const bool is_storage = pid.is_tuple() && pid.items.size() >= 3 && pid.items[2]->is_string();
    const std::string key = is_storage ? std::string(pid.items[2]->as_string_view()) : "?";
    return doc.make_external(std::make_shared<Placeholder>("<storage " + key + ">"));
  }

  Value* call(Document& doc, const Value& callable, const Value& args,
              const Where& where) override {
    if (callable.qualified_name() == "torch._utils._rebuild_tensor_v2" && args.items.size() > 2) {
      ++tensors;
      return doc.make_external(
          std::make_shared<Placeholder>("tensor" + pickle::describe(*args.items[2])));
    }
    return Policy::call(doc, callable, args, where);
  }

  int storages = 0;  // persistent ids seen
  int tensors = 0;   // tensors rebuilt
};

}  // namespace cola::pickle::test
