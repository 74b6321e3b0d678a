#pragma once
// The unpickling machine behind load() (internal): the input cursor, the stack with its marks,
// the memo, and one member function per opcode family. Like CPython's _Unpickler, but values are
// inert and the stack holds Value* into the Document with mark positions kept apart.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pickle/document.h"
#include "pickle/unpickler.h"

namespace cola::pickle::detail {

class Machine {
 public:
  Machine(std::string_view bytes, Policy& policy, const LoadOptions& options);
  /// Runs opcodes from options.offset through STOP and returns the document.
  Document run();

 private:
  // machine.cc: the loop, input, stack and memo.
  void step();
  [[noreturn]] void fail(std::string_view fault) const;
  // The hot paths, inline below; their faults are out of line so that they stay small.
  std::string_view take(size_t n);
  template <class T>
  T read_le();
  void push(Value* v);
  Value* pop();
  Value* top() const;
  size_t frame_start() const { return marks_.empty() ? 0 : marks_.back(); }
  [[noreturn, gnu::cold]] void fail_truncated() const;
  [[noreturn, gnu::cold]] void fail_stack_limit() const;
  [[noreturn, gnu::cold]] void fail_underflow() const;
  Where where() const;
  size_t remaining() const { return bytes_.size() - pos_; }
  std::string_view take_counted(uint64_t n, std::string_view what);
  std::string_view read_line();
  void mark();
  size_t pop_mark();
  Value& below(size_t start) const;
  std::span<Value* const> items_from(size_t start) const;
  void memo_put(uint64_t index);
  Value* memo_get(uint64_t index) const;
  uint64_t read_memo_index_line(bool for_put);

  // machine_scalars.cc: numbers, strings, bytes.
  void int_line(bool is_long);
  void float_line();
  void binfloat();
  void long_bytes(uint64_t n);
  void python2_string(std::string_view raw);
  void quoted_string_line();
  void unicode(std::string_view utf8);
  void persistent_id_line();

  // machine_objects.cc: containers, globals, calls, objects.
  void tuple_of_top(size_t n);
  void tuple_from_mark();
  void list_from_mark();
  void dict_from_mark();
  void frozenset_from_mark();
  void append_items(std::span<Value* const> items, Value& target);
  void set_items(std::span<Value* const> items, Value& target);
  void add_items(std::span<Value* const> items, Value& target);
  Value* make_global(std::string_view module, std::string_view name);
  void stack_global();
  void reduce();
  void build();
  void new_object(bool with_kwargs);
  void inst();
  void obj();
  Value* call(const Value& callable, const Value& args);
  void load_persistent(const Value& pid);

  std::string_view bytes_;
  Policy& policy_;
  const LoadOptions& options_;
  Document doc_;
  size_t max_stack_ = 0;  // options_.limits.max_stack
  size_t pos_ = 0;        // the next byte to read
  size_t op_start_ = 0;   // offset of the opcode being run
  uint8_t op_ = 0;        // the opcode being run (0 at the end of the input: no opcode)
  int protocol_ = 0;      // from PROTO; below 3, globals go through fix_imports
  bool stopped_ = false;
  std::vector<Value*> stack_;
  std::vector<size_t> marks_;  // stack_.size() at each open MARK
  std::vector<Value*> memo_;   // dense part of the memo: index -> value, nullptr if unset
  std::unordered_map<uint64_t, Value*> sparse_memo_;  // far indices (LONG_BINPUT 4e9)
  size_t memo_count_ = 0;                             // entries set, as len(memo) in Python
};

inline std::string_view Machine::take(size_t n) {
  if (n > remaining()) fail_truncated();
  const std::string_view out(bytes_.data() + pos_, n);
  pos_ += n;
  return out;
}

// A fixed-size little-endian argument (the unpickler asserts a little-endian host).
template <class T>
T Machine::read_le() {
  T v;
  std::memcpy(&v, take(sizeof(T)).data(), sizeof(T));
  return v;
}

inline void Machine::push(Value* v) {
  if (stack_.size() + marks_.size() >= max_stack_) fail_stack_limit();
  stack_.push_back(v);
}

// Like CPython, each MARK opens a fresh stack: popping below it is an underflow.
inline Value* Machine::top() const {
  if (stack_.size() <= frame_start()) fail_underflow();
  return stack_.back();
}

inline Value* Machine::pop() {
  Value* v = top();
  stack_.pop_back();
  return v;
}

}  // namespace cola::pickle::detail
