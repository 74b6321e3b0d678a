#pragma once
// A safe unpickler for Python pickles (protocols 0-5) that never imports or runs anything. It
// follows CPython's Lib/pickle.py opcode by opcode, but a GLOBAL only pushes an inert name and
// every call (REDUCE, INST, OBJ) goes through a Policy that builds data or refuses; the approach
// of PyTorch's torch/_weights_only_unpickler.py. The input is untrusted: every length is checked
// against the input before anything is allocated, and Limits bound stack, memo, values and depth.
#include <cstddef>
#include <string>
#include <string_view>

#include "pickle/document.h"
#include "pickle/value.h"

namespace cola::pickle {

/// Where an opcode is, for messages: "<source>: byte <offset> (<OPCODE_NAME>)".
struct Where {
  const std::string* source;  // the file (and member) name; never null
  size_t offset;              // of the opcode's first byte in the input
  std::string_view opcode;    // its pickletools name, e.g. "REDUCE" ("" when not at an opcode)
  /// "<source>: byte <offset> (<opcode>)", without the source when it is empty.
  std::string text() const;
};

/// What a pickle may construct. GLOBAL never consults it: a global is always pushed as an inert
/// kGlobal placeholder (so a Lightning checkpoint's callback classes load as dict keys). Only
/// calls go through the policy, since a call is where Python's pickle runs code.
class Policy {
 public:
  virtual ~Policy() = default;
  /// REDUCE (and protocol 0/1 INST/OBJ): callable(*args). `callable` is what the stack held
  /// (usually a kGlobal, named after fix_imports). Returns the value that replaces them, made in
  /// `doc`, or throws Error to refuse. The base allows only data constructors (see policy.cc):
  /// collections.OrderedDict/defaultdict, builtins.set/frozenset/bytearray/slice/complex/range,
  /// _codecs.encode and copyreg._reconstructor; anything else is refused, naming the global.
  virtual Value* call(Document& doc, const Value& callable, const Value& args, const Where& where);
  /// BINPERSID / PERSID. Default: throws Error (no persistent ids without a loader).
  virtual Value* persistent_load(Document& doc, const Value& pid, const Where& where);
  /// BUILD: gives `inst` its `state`. Default: a kObject or kDict keeps it in `state`; a second
  /// BUILD of one value (no pickler writes one) and BUILD of anything else throw Error.
  virtual void build(Document& doc, Value& inst, Value& state, const Where& where);
};

struct LoadOptions {
  std::string source;  // names the input in messages, e.g. "model.bin: archive/data.pkl"
  Limits limits;       // bounds on stack, depth, values, memo and copies
  size_t offset = 0;   // where the pickle starts in `bytes`
};

/// Unpickles one pickle (protocol 0-5, up to its STOP) from `bytes` starting at options.offset.
/// Every fault throws cola::Error "<source>: byte N (OPCODE): <fault>": unknown opcode, truncated
/// input, a length past the end of the input (checked before allocating), a memo get of an entry
/// never put, stack underflow or a missing MARK, a limit exceeded, invalid UTF-8 in a unicode
/// opcode, a key Python cannot hash, out-of-band buffers and the extension registry
/// (unsupported), and whatever the policy refuses. Document::end() is the offset after STOP, so
/// a caller can read consecutive pickles (the legacy torch.save format is five in a row).
Document load(std::string_view bytes, Policy& policy, const LoadOptions& options);

/// load() with the base, data-only Policy.
Document load(std::string_view bytes, const LoadOptions& options);

}  // namespace cola::pickle
