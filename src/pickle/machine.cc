#include "pickle/machine.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "pickle/opcodes.h"
#include "pickle/text.h"

namespace cola::pickle {

// Pickle integers are little-endian and are read with memcpy: so is every machine we build for.
static_assert(std::endian::native == std::endian::little, "the unpickler assumes little-endian");

std::string Where::text() const {
  std::string out = source->empty() ? "" : *source + ": ";
  out += fmt::format("byte {}", offset);
  if (!opcode.empty()) out += fmt::format(" ({})", opcode);
  return out;
}

namespace detail {
namespace {

// The dense memo holds at most twice its entries plus this many slots; an index past that
// (LONG_BINPUT 4,000,000,000 in a ten-byte file, or puts that skip ahead on purpose) goes to the
// map, so the memo's memory stays proportional to what it stores.
constexpr uint64_t kDenseMemoSlack = 1024;

}  // namespace

Machine::Machine(std::string_view bytes, Policy& policy, const LoadOptions& options)
    : bytes_(bytes),
      policy_(policy),
      options_(options),
      doc_(options.limits),
      max_stack_(options.limits.max_stack),
      pos_(options.offset) {
  stack_.reserve(256);
  marks_.reserve(64);
  memo_.reserve(256);
}

Document Machine::run() {
  if (pos_ > bytes_.size()) {
    throw Error(fmt::format("{}{}start offset {} is past the end of the input ({} bytes)",
                            options_.source, options_.source.empty() ? "" : ": ", pos_,
                            bytes_.size()));
  }
  try {
    while (!stopped_) {
      op_start_ = pos_;
      if (pos_ == bytes_.size()) {
        op_ = 0;
        fail("the input ends before STOP: truncated");
      }
      op_ = static_cast<uint8_t>(bytes_[pos_++]);
      step();
    }
  } catch (const DocumentError& e) {
    throw Error(fmt::format("{}: {}", where().text(), e.what()));
  }
  return std::move(doc_);
}

// One opcode; the comments give the protocol that introduced each group.
void Machine::step() {
  switch (op_) {
    case kMark:
      return mark();
    case kStop:
      doc_.root_ = pop();
      doc_.end_ = pos_;
      stopped_ = true;
      return;
    case kPop:  // with nothing above the last MARK, POP drops the mark (as pickle.py does)
      if (marks_.empty() || stack_.size() > marks_.back()) {
        pop();
      } else {
        stack_.resize(pop_mark());
      }
      return;
    case kPopMark:
      return stack_.resize(pop_mark());
    case kDup:
      return push(top());
    // Protocol 0 text opcodes.
    case kInt:
      return int_line(false);
    case kLong:
      return int_line(true);
    case kFloat:
      return float_line();
    case kString:
      return quoted_string_line();
    case kUnicode:
      return push(doc_.make_string(raw_unicode_escape_decode(read_line())));
    case kPersId:
      return persistent_id_line();
    case kGet:
      return push(memo_get(read_memo_index_line(false)));
    case kPut:
      return memo_put(read_memo_index_line(true));
    case kInst:
      return inst();
    case kGlobal: {
      const std::string_view module = read_line();
      return push(make_global(module, read_line()));
    }
    case kList:
      return list_from_mark();
    case kTuple:
      return tuple_from_mark();
    case kDict:
      return dict_from_mark();
    // Protocol 1.
    case kNone:
      return push(doc_.make_none());
    case kBinInt:
      return push(doc_.make_int(read_le<int32_t>()));
    case kBinInt1:
      return push(doc_.make_int(read_le<uint8_t>()));
    case kBinInt2:
      return push(doc_.make_int(read_le<uint16_t>()));
    case kBinFloat:
      return binfloat();
    case kBinString: {
      const auto n = read_le<int32_t>();
      if (n < 0) fail(fmt::format("negative length {}: corrupt or hostile pickle", n));
      return python2_string(take_counted(static_cast<uint64_t>(n), "a string"));
    }
    case kShortBinString:
      return python2_string(take_counted(read_le<uint8_t>(), "a string"));
    case kBinUnicode:
      return unicode(take_counted(read_le<uint32_t>(), "a string"));
    case kEmptyList:
      return push(doc_.make(Kind::kList));
    case kEmptyTuple:
      return push(doc_.make(Kind::kTuple));
    case kEmptyDict:
      return push(doc_.make(Kind::kDict));
    case kAppend: {
      Value* item = pop();
      return append_items({&item, 1}, *top());
    }
    case kAppends: {
      const size_t start = pop_mark();
      append_items(items_from(start), below(start));
      return stack_.resize(start);
    }
    case kSetItem: {
      Value* pair[2] = {nullptr, nullptr};
      pair[1] = pop();
      pair[0] = pop();
      return set_items(pair, *top());
    }
    case kSetItems: {
      const size_t start = pop_mark();
      set_items(items_from(start), below(start));
      return stack_.resize(start);
    }
    case kBinGet:
      return push(memo_get(read_le<uint8_t>()));
    case kLongBinGet:
      return push(memo_get(read_le<uint32_t>()));
    case kBinPut:
      return memo_put(read_le<uint8_t>());
    case kLongBinPut:
      return memo_put(read_le<uint32_t>());
    case kBinPersId: {
      const Value* pid = pop();
      return load_persistent(*pid);
    }
    case kReduce:
      return reduce();
    case kBuild:
      return build();
    case kObj:
      return obj();
    // Protocol 2.
    case kProto: {
      protocol_ = read_le<uint8_t>();
      if (protocol_ > 5) {
        fail(fmt::format("unsupported pickle protocol {} (this reader knows 0 to 5)", protocol_));
      }
      return;
    }
    case kNewObj:
      return new_object(false);
    case kTuple1:
      return tuple_of_top(1);
    case kTuple2:
      return tuple_of_top(2);
    case kTuple3:
      return tuple_of_top(3);
    case kNewTrue:
      return push(doc_.make_bool(true));
    case kNewFalse:
      return push(doc_.make_bool(false));
    case kLong1:
      return long_bytes(read_le<uint8_t>());
    case kLong4: {
      const auto n = read_le<int32_t>();
      if (n < 0) fail(fmt::format("negative length {}: corrupt or hostile pickle", n));
      return long_bytes(static_cast<uint64_t>(n));
    }
    case kExt1:
    case kExt2:
    case kExt4:
      fail(
          "the extension registry (copyreg.add_extension) is not supported: it names globals by "
          "codes that only the writing process knows");
    // Protocol 3.
    case kBinBytes:
      return push(doc_.make_bytes(take_counted(read_le<uint32_t>(), "a bytes")));
    case kShortBinBytes:
      return push(doc_.make_bytes(take_counted(read_le<uint8_t>(), "a bytes")));
    // Protocol 4.
    case kShortBinUnicode:
      return unicode(take_counted(read_le<uint8_t>(), "a string"));
    case kBinUnicode8:
      return unicode(take_counted(read_le<uint64_t>(), "a string"));
    case kBinBytes8:
      return push(doc_.make_bytes(take_counted(read_le<uint64_t>(), "a bytes")));
    case kEmptySet:
      return push(doc_.make(Kind::kSet));
    case kAddItems: {
      const size_t start = pop_mark();
      add_items(items_from(start), below(start));
      return stack_.resize(start);
    }
    case kFrozenSet:
      return frozenset_from_mark();
    case kNewObjEx:
      return new_object(true);
    case kStackGlobal:
      return stack_global();
    case kMemoize:
      return memo_put(memo_count_);
    case kFrame: {  // framing only groups opcodes for buffered reads: nothing to do in memory
      const auto n = read_le<uint64_t>();
      if (n > remaining()) {
        fail(fmt::format(
            "a frame of {} bytes runs past the end of the input ({} bytes left): truncated", n,
            remaining()));
      }
      return;
    }
    // Protocol 5.
    case kByteArray8:
      return push(doc_.make_bytes(take_counted(read_le<uint64_t>(), "a bytearray")));
    case kNextBuffer:
    case kReadOnlyBuffer:
      fail(
          "out-of-band buffers (protocol 5 PickleBuffer) are not supported: their data is not in "
          "the pickle");
    default:
      fail(fmt::format("unknown opcode 0x{:02x}: not a pickle, or corrupt", op_));
  }
}

void Machine::fail(std::string_view fault) const {
  throw Error(fmt::format("{}: {}", where().text(), fault));
}

Where Machine::where() const {
  return Where{&options_.source, op_start_, op_ == 0 ? std::string_view() : opcode_name(op_)};
}

void Machine::fail_truncated() const {
  fail("the input ends inside the opcode's argument: truncated");
}

void Machine::fail_stack_limit() const {
  fail(fmt::format(
      "more than {} values and marks on the stack (Limits::max_stack): nesting this deep is "
      "refused",
      max_stack_));
}

void Machine::fail_underflow() const {
  fail(marks_.empty() ? "stack underflow: the pickle pops more than it pushed"
                      : "stack underflow: the pickle pops past its last MARK");
}

// A length read from the input is checked against what is left before anything is allocated.
std::string_view Machine::take_counted(uint64_t n, std::string_view what) {
  if (n > remaining()) {
    fail(fmt::format(
        "{} of {} bytes runs past the end of the input ({} bytes left): truncated, corrupt or "
        "hostile",
        what, n, remaining()));
  }
  return take(static_cast<size_t>(n));
}

std::string_view Machine::read_line() {
  const size_t newline = bytes_.find('\n', pos_);
  if (newline == std::string_view::npos) {
    fail("the input ends inside the opcode's text line (no newline): truncated");
  }
  const std::string_view line = bytes_.substr(pos_, newline - pos_);
  pos_ = newline + 1;
  return line;
}

void Machine::mark() {
  if (stack_.size() + marks_.size() >= max_stack_) fail_stack_limit();
  marks_.push_back(stack_.size());
}

// Closes the last MARK: returns where its items start on the stack (they stay there).
size_t Machine::pop_mark() {
  if (marks_.empty()) fail("no MARK before this opcode: corrupt pickle");
  const size_t start = marks_.back();
  marks_.pop_back();
  return start;
}

// The value just below a closed MARK's items (the list APPENDS extends), which must be on the
// stack frame that is open again.
Value& Machine::below(size_t start) const {
  if (start <= frame_start()) {
    fail("stack underflow: nothing below the MARK to add the items to");
  }
  return *stack_[start - 1];
}

std::span<Value* const> Machine::items_from(size_t start) const {
  return {stack_.data() + start, stack_.size() - start};
}

void Machine::memo_put(uint64_t index) {
  Value* v = top();
  if (index < memo_.size() && memo_[index] != nullptr) {
    memo_[index] = v;  // Python replaces an entry put twice
    return;
  }
  if (!sparse_memo_.empty()) {
    if (const auto it = sparse_memo_.find(index); it != sparse_memo_.end()) {
      it->second = v;
      return;
    }
  }
  if (memo_count_ >= options_.limits.max_memo) {
    fail(fmt::format("more than {} memo entries (Limits::max_memo)", options_.limits.max_memo));
  }
  if (index == memo_.size()) {
    memo_.push_back(v);  // the pickler's order: 0, 1, 2, ...
  } else if (index < 2 * uint64_t{memo_count_} + kDenseMemoSlack) {
    if (index > memo_.size()) memo_.resize(index + 1, nullptr);
    memo_[index] = v;
  } else {
    sparse_memo_.emplace(index, v);
  }
  ++memo_count_;
}

Value* Machine::memo_get(uint64_t index) const {
  if (index < memo_.size() && memo_[index] != nullptr) return memo_[index];
  if (!sparse_memo_.empty()) {
    if (const auto it = sparse_memo_.find(index); it != sparse_memo_.end()) return it->second;
  }
  fail(fmt::format(
      "memo entry {} was never stored (no PUT/BINPUT/MEMOIZE before it): corrupt or hostile "
      "pickle",
      index));
}

// GET/PUT text lines: a decimal index. A negative GET index finds nothing, as in Python.
uint64_t Machine::read_memo_index_line(bool for_put) {
  const auto value = long_to_int64(parse_decimal(read_line()));
  if (!value || *value < 0) {
    if (for_put) fail("negative or huge PUT index: corrupt or hostile pickle");
    fail("memo entry of a negative or huge index was never stored: corrupt or hostile pickle");
  }
  return static_cast<uint64_t>(*value);
}

}  // namespace detail

Document load(std::string_view bytes, Policy& policy, const LoadOptions& options) {
  return detail::Machine(bytes, policy, options).run();
}

Document load(std::string_view bytes, const LoadOptions& options) {
  Policy policy;
  return load(bytes, policy, options);
}

}  // namespace cola::pickle
