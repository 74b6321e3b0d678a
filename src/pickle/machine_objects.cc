// The opcodes that build containers, name globals, and call or construct objects.
#include <fmt/format.h>

#include <algorithm>

#include "pickle/fix_imports.h"
#include "pickle/machine.h"
#include "pickle/opcodes.h"
#include "pickle/text.h"

namespace cola::pickle::detail {
namespace {

// Room for n more items with geometric growth: an exact reserve on every APPENDS batch (the
// pickler writes lists in batches of 1,000) would copy a long list once per batch.
template <class T>
void make_room(std::vector<T>& items, size_t n) {
  if (items.capacity() - items.size() < n) {
    items.reserve(std::max(items.size() + n, items.capacity() * 2));
  }
}

std::string brief(const Value& v) { return describe(v, 60); }

}  // namespace

// TUPLE1-3: the top n values become one tuple.
void Machine::tuple_of_top(size_t n) {
  if (stack_.size() < frame_start() + n) {
    fail(fmt::format("stack underflow: the tuple needs {} values above the last MARK", n));
  }
  const size_t start = stack_.size() - n;
  Value* tuple = doc_.make_tuple(
      std::vector<Value*>(stack_.begin() + static_cast<ptrdiff_t>(start), stack_.end()));
  stack_.resize(start);
  push(tuple);
}

void Machine::tuple_from_mark() {
  const size_t start = pop_mark();
  const auto items = items_from(start);
  Value* tuple = doc_.make_tuple(std::vector<Value*>(items.begin(), items.end()));
  stack_.resize(start);
  push(tuple);
}

void Machine::list_from_mark() {
  const size_t start = pop_mark();
  const auto items = items_from(start);
  Value* list = doc_.make_list(std::vector<Value*>(items.begin(), items.end()));
  stack_.resize(start);
  push(list);
}

void Machine::dict_from_mark() {
  const size_t start = pop_mark();
  Value* dict = doc_.make(Kind::kDict);
  set_items(items_from(start), *dict);
  stack_.resize(start);
  push(dict);
}

void Machine::frozenset_from_mark() {
  const size_t start = pop_mark();
  Value* set = doc_.make(Kind::kFrozenSet);
  const auto items = items_from(start);
  set->items.reserve(items.size());
  for (Value* item : items) doc_.append(*set, item);
  stack_.resize(start);
  push(set);
}

// APPEND(S): list.append / list.extend; a list subclass (an object) keeps them in its items.
void Machine::append_items(std::span<Value* const> items, Value& target) {
  if (target.kind != Kind::kList && target.kind != Kind::kObject) {
    fail(fmt::format("cannot append to a {} ({}): only lists and objects take items",
                     kind_name(target.kind), brief(target)));
  }
  make_room(target.items, items.size());
  for (Value* item : items) doc_.append(target, item);
}

// SETITEM(S) and DICT: key, value pairs; a dict subclass (an object) keeps them in its entries.
void Machine::set_items(std::span<Value* const> items, Value& target) {
  if (target.kind != Kind::kDict && target.kind != Kind::kObject) {
    fail(fmt::format("cannot set items of a {} ({}): only dicts and objects take entries",
                     kind_name(target.kind), brief(target)));
  }
  if (items.size() % 2 != 0) {
    fail(fmt::format("{} items after the MARK: a dict needs key, value pairs", items.size()));
  }
  make_room(target.entries, items.size() / 2);
  for (size_t i = 0; i < items.size(); i += 2) doc_.insert(target, items[i], items[i + 1]);
}

// ADDITEMS: set.update; a set subclass (an object) keeps them in its items.
void Machine::add_items(std::span<Value* const> items, Value& target) {
  if (target.kind != Kind::kSet && target.kind != Kind::kObject) {
    fail(fmt::format("cannot add items to a {} ({}): only sets and objects take them",
                     kind_name(target.kind), brief(target)));
  }
  make_room(target.items, items.size());
  for (Value* item : items) doc_.append(target, item);
}

// GLOBAL, STACK_GLOBAL, INST: an inert name, never imported. Protocols below 3 come from
// Python 2, whose names Python 3 renames on load (fix_imports); messages keep the written name.
Value* Machine::make_global(std::string_view module, std::string_view name) {
  if (!is_utf8(module) || !is_utf8(name)) fail("a global's module and name must be UTF-8");
  if (protocol_ < 3) {
    const auto [new_module, new_name] = fix_import(module, name);
    if (new_module != module || new_name != name) {
      return doc_.make_global(new_module, new_name, fmt::format("{}.{}", module, name));
    }
  }
  return doc_.make_global(module, name);
}

void Machine::stack_global() {
  const Value* name = pop();
  const Value* module = pop();
  if (!module->is_string() || !name->is_string()) {
    fail(fmt::format("STACK_GLOBAL needs a module and a name as str, got a {} and a {}",
                     kind_name(module->kind), kind_name(name->kind)));
  }
  push(make_global(module->text, name->text));
}

// REDUCE: callable(*args), decided by the policy; the result replaces the callable.
void Machine::reduce() {
  const Value* args = pop();
  Value* const callable = top();
  stack_.back() = call(*callable, *args);
}

void Machine::build() {
  Value* state = pop();
  policy_.build(doc_, *top(), *state, where());
}

// NEWOBJ / NEWOBJ_EX: cls.__new__(cls, *args, **kwargs). Python allows only a class here and
// runs its __new__, never an arbitrary function: we make an inert object without asking.
void Machine::new_object(bool with_kwargs) {
  Value* kwargs = with_kwargs ? pop() : nullptr;
  Value* args = pop();
  const Value* cls = pop();
  const std::string_view op = opcode_name(op_);
  if (!cls->is_global()) {
    fail(fmt::format("{} needs a class (a global), got a {} ({})", op, kind_name(cls->kind),
                     brief(*cls)));
  }
  if (!args->is_tuple()) {
    fail(fmt::format("{} needs an args tuple, got a {} ({})", op, kind_name(args->kind),
                     brief(*args)));
  }
  if (kwargs != nullptr && !kwargs->is_dict()) {
    fail(fmt::format("NEWOBJ_EX needs a kwargs dict, got a {} ({})", kind_name(kwargs->kind),
                     brief(*kwargs)));
  }
  Value* object = doc_.make_object(*cls);
  object->args = args;
  doc_.adopt(*object, *args);
  if (kwargs != nullptr) {
    object->kwargs = kwargs;
    doc_.adopt(*object, *kwargs);
  }
  push(object);
}

// INST (protocol 0): MARK args... INST module name -> module.name(*args), through the policy.
void Machine::inst() {
  const std::string_view module = read_line();
  const std::string_view name = read_line();
  const size_t start = pop_mark();
  const auto items = items_from(start);
  const Value* args = doc_.make_tuple(std::vector<Value*>(items.begin(), items.end()));
  stack_.resize(start);
  const Value* callable = make_global(module, name);
  push(call(*callable, *args));
}

// OBJ (protocol 1): MARK cls args... OBJ -> cls(*args), through the policy.
void Machine::obj() {
  const size_t start = pop_mark();
  const auto items = items_from(start);
  if (items.empty()) fail("OBJ needs a class after its MARK");
  const Value* args = doc_.make_tuple(std::vector<Value*>(items.begin() + 1, items.end()));
  const Value* callable = items.front();
  stack_.resize(start);
  push(call(*callable, *args));
}

Value* Machine::call(const Value& callable, const Value& args) {
  Value* result = policy_.call(doc_, callable, args, where());
  if (result == nullptr) fail(fmt::format("the policy made nothing for {}", brief(callable)));
  return result;
}

void Machine::load_persistent(const Value& pid) {
  Value* result = policy_.persistent_load(doc_, pid, where());
  if (result == nullptr) {
    fail(fmt::format("the policy made nothing for persistent id {}", brief(pid)));
  }
  push(result);
}

}  // namespace cola::pickle::detail
