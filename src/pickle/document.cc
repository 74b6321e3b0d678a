#include "pickle/document.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "pickle/text.h"

namespace cola::pickle {
namespace {

// Chunks grow from small (a five-value legacy header pickle) to this size, so a big load costs
// one allocation per 512 values (about 100 KB, below malloc's mmap threshold, so that chunks
// come from the heap rather than from page faults) and a small one wastes little.
constexpr size_t kFirstChunk = 64;
constexpr size_t kLargestChunk = 512;

}  // namespace

Document::Document(const Limits& limits) : limits_(limits) {}

Document::~Document() { release(); }

Document::Document(Document&& other) noexcept { *this = std::move(other); }

Document& Document::operator=(Document&& other) noexcept {
  if (this != &other) {
    release();
    limits_ = other.limits_;
    chunks_ = std::move(other.chunks_);
    current_ = std::exchange(other.current_, nullptr);
    used_ = std::exchange(other.used_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
    copied_ = std::exchange(other.copied_, 0);
    root_ = std::exchange(other.root_, nullptr);
    end_ = other.end_;
    other.chunks_.clear();
  }
  return *this;
}

// A flat loop over the values: none of them owns another, so nothing recurses.
void Document::release() noexcept {
  for (size_t i = 0; i < chunks_.size(); ++i) {
    const Chunk& chunk = chunks_[i];
    std::destroy_n(chunk.values, i + 1 == chunks_.size() ? used_ : chunk.capacity);
    std::allocator<Value>().deallocate(chunk.values, chunk.capacity);
  }
  chunks_.clear();
  current_ = nullptr;
  used_ = capacity_ = size_ = copied_ = 0;
}

void Document::grow() {
  if (size_ >= limits_.max_values) {
    throw DocumentError(fmt::format(
        "the pickle makes more than {} values (Limits::max_values): too big, or hostile",
        limits_.max_values));
  }
  if (used_ < capacity_) return;
  const size_t capacity = chunks_.empty() ? kFirstChunk : std::min(capacity_ * 2, kLargestChunk);
  Value* values = std::allocator<Value>().allocate(capacity);
  try {
    chunks_.push_back({values, capacity});
  } catch (...) {
    std::allocator<Value>().deallocate(values, capacity);
    throw;
  }
  current_ = values;
  used_ = 0;
  capacity_ = capacity;
}

Value* Document::make_bool(bool b) {
  Value* v = make(Kind::kBool);
  v->boolean = b;
  return v;
}

Value* Document::make_int(int64_t i) {
  Value* v = make(Kind::kInt);
  v->integer = i;
  return v;
}

Value* Document::make_long(std::string_view little_endian) {
  std::string bytes(little_endian);
  detail::trim_long(bytes);
  if (const auto small = detail::long_to_int64(bytes)) return make_int(*small);
  Value* v = make(Kind::kBigInt);
  v->text = std::move(bytes);
  return v;
}

Value* Document::make_float(double d) {
  Value* v = make(Kind::kFloat);
  v->real = d;
  return v;
}

Value* Document::make_string(std::string_view utf8) {
  Value* v = make(Kind::kString);
  v->text = utf8;
  return v;
}

Value* Document::make_bytes(std::string_view bytes) {
  Value* v = make(Kind::kBytes);
  v->text = bytes;
  return v;
}

Value* Document::make_tuple(std::vector<Value*> items) {
  Value* v = make(Kind::kTuple);
  for (const Value* item : items) {
    check_depth(*v, *item);
    v->unhashable = v->unhashable || !item->hashable();
  }
  v->items = std::move(items);
  return v;
}

Value* Document::make_list(std::vector<Value*> items) {
  Value* v = make(Kind::kList);
  for (const Value* item : items) check_depth(*v, *item);
  v->items = std::move(items);
  return v;
}

Value* Document::make_dict(std::string_view module, std::string_view name) {
  Value* v = make(Kind::kDict);
  v->module = module;
  v->name = name;
  return v;
}

Value* Document::make_global(std::string_view module, std::string_view name,
                             std::string_view written) {
  Value* v = make(Kind::kGlobal);
  v->module = module;
  v->name = name;
  v->text = written;
  return v;
}

Value* Document::make_object(const Value& cls) {
  Value* v = make(Kind::kObject);
  v->module = cls.module;
  v->name = cls.name;
  v->text = cls.text;
  return v;
}

Value* Document::make_external(std::shared_ptr<const External> external) {
  Value* v = make(Kind::kExternal);
  v->external = std::move(external);
  return v;
}

void Document::append(Value& container, Value* item) {
  if ((container.kind == Kind::kSet || container.kind == Kind::kFrozenSet) && !item->hashable()) {
    throw DocumentError(fmt::format("a {} cannot be a set member: Python cannot hash it ({})",
                                    kind_name(item->kind), describe(*item, 60)));
  }
  check_depth(container, *item);
  if (container.kind == Kind::kTuple) {
    container.unhashable = container.unhashable || !item->hashable();
  }
  container.items.push_back(item);
}

void Document::insert(Value& container, Value* key, Value* value) {
  if (!key->hashable()) {
    throw DocumentError(fmt::format("a {} cannot be a dict key: Python cannot hash it ({})",
                                    kind_name(key->kind), describe(*key, 60)));
  }
  check_depth(container, *key);
  check_depth(container, *value);
  container.entries.emplace_back(key, value);
}

void Document::charge_copy(size_t bytes) {
  copied_ += bytes;
  if (copied_ > limits_.max_copy_bytes) {
    throw DocumentError(fmt::format(
        "calls copy more than {} bytes of existing values (Limits::max_copy_bytes): a pickle "
        "bomb, or too big",
        limits_.max_copy_bytes));
  }
}

void Document::adopt(Value& parent, const Value& child) { check_depth(parent, child); }

void Document::fail_depth() const {
  throw DocumentError(fmt::format(
      "containers nest more than {} levels deep (Limits::max_depth): nesting this deep is "
      "refused",
      limits_.max_depth));
}

}  // namespace cola::pickle
