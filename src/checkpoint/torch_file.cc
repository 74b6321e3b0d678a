#include "checkpoint/torch_file.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "checkpoint/torch_policy.h"
#include "core/error.h"
#include "core/zip_archive.h"

namespace cola::checkpoint::torch_file {
namespace {

using detail::StorageRecord;
using detail::TensorRecord;
using detail::TorchPolicy;
using pickle::Kind;
using pickle::Value;

// torch/serialization.py: MAGIC_NUMBER = 0x1950a86a20f9469cfc6c, PROTOCOL_VERSION = 1001. The
// legacy file starts with the magic as a protocol-2 LONG1 of 10 bytes.
constexpr std::string_view kLegacyMagicHex = "0x1950a86a20f9469cfc6c";
constexpr std::string_view kLegacyStart =
    "\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";
constexpr int64_t kLegacyProtocol = 1001;

// Where the tensors of a file sit in its object tree, for messages: a state dict's key as it
// is ("classifier.weight"), a deeper one Python-style (state_dict['bert.classifier.weight']).
void name_tensors(const Value& root, const TorchPolicy& policy) {
  std::map<const pickle::External*, TensorRecord*> unnamed;
  for (const auto& t : policy.tensors()) unnamed.emplace(t.get(), t.get());
  struct Item {
    const Value* value;
    std::string path;
    int depth;
  };
  std::vector<Item> queue{{&root, "", 0}};
  std::set<const Value*> seen;
  constexpr int kMaxDepth = 32;  // checkpoints nest a few levels; a cycle or a bomb stops here
  for (size_t i = 0; i < queue.size() && !unnamed.empty(); ++i) {
    const Item item = queue[i];
    if (!seen.insert(item.value).second || item.depth > kMaxDepth) continue;
    if (item.value->is_external()) {
      const auto it = unnamed.find(item.value->external.get());
      if (it != unnamed.end()) {
        it->second->tensor.name = item.path;
        unnamed.erase(it);
      }
      continue;
    }
    const auto& entries = dict_entries(*item.value);
    for (const auto& [key, value] : entries) {
      const std::string k =
          key->is_string() ? std::string(key->as_string_view()) : pickle::describe(*key, 40);
      queue.push_back(
          {value, item.depth == 0 ? k : fmt::format("{}['{}']", item.path, k), item.depth + 1});
    }
    for (size_t j = 0; j < item.value->items.size(); ++j) {
      queue.push_back({item.value->items[j], fmt::format("{}[{}]", item.path, j), item.depth + 1});
    }
  }
  for (auto& [external, record] : unnamed) record->tensor.name = "<unnamed>";
}

// The first tensor that uses a storage, to name in a storage's error.
std::string user_of(const StorageRecord& storage, const TorchPolicy& policy) {
  for (const auto& t : policy.tensors()) {
    const StorageRecord* s = t->storage.get();
    if (s == &storage || (s->root && s->root.get() == &storage)) {
      return fmt::format(" (tensor '{}')", t->tensor.name);
    }
  }
  return "";
}

void check_storage_size(const StorageRecord& s, uint64_t bytes, const std::string& record,
                        const std::string& source, const TorchPolicy& policy) {
  const uint64_t element = spec::dtype_size(s.dtype);
  const uint64_t needed = static_cast<uint64_t>(s.numel) * element;
  if (bytes == needed) return;
  throw Error(fmt::format(
      "{}: storage record '{}'{} holds {} bytes, but {} {} elements of {} bytes need {}{}", source,
      record, user_of(s, policy), bytes, s.numel, spec::dtype_name(s.dtype), element, needed,
      bytes < needed ? " (truncated or corrupt)" : " (a dtype or element-size mismatch)"));
}

// Views and tensors once every storage has its bytes: each tensor checked against its storage.
void bind_tensors(const TorchPolicy& policy, const std::string& source,
                  const std::shared_ptr<const MappedFile>& file) {
  for (const auto& t : policy.tensors()) {
    StorageRecord& s = *t->storage;
    if (s.root) {
      const uint64_t element = spec::dtype_size(s.dtype);
      const uint64_t begin = static_cast<uint64_t>(s.view_offset) * element;
      const uint64_t size = static_cast<uint64_t>(s.numel) * element;
      if (begin > s.root->bytes.size() || s.root->bytes.size() - begin < size) {
        throw Error(
            fmt::format("{}: storage view of '{}' at element {} ({} elements) runs past "
                        "its {} elements",
                        source, s.root->key, s.view_offset, s.numel, s.root->numel));
      }
      s.bytes = s.root->bytes.substr(begin, size);
    }
    t->tensor.storage = s.bytes;
    t->tensor.file = file;
    t->tensor.where = source;
    check_layout(t->tensor);
  }
}

pickle::Document load_zip(const std::shared_ptr<const MappedFile>& file, TorchPolicy& policy) {
  const std::string& source = file->label();
  const ZipArchive zip = ZipArchive::read(*file);
  // torch.save writes <folder>/data.pkl with a folder of the writer's choosing ("archive",
  // the file's stem...): take the one top-level folder that has it.
  const ZipEntry* pkl = nullptr;
  for (const auto& e : zip.entries()) {
    const auto slash = e.name.find('/');
    if (slash == std::string::npos || e.name.substr(slash + 1) != "data.pkl") continue;
    if (pkl != nullptr) {
      throw Error(
          fmt::format("{}: two data.pkl records ('{}' and '{}')", source, pkl->name, e.name));
    }
    pkl = &e;
  }
  if (pkl == nullptr) {
    const bool torchscript =
        std::any_of(zip.entries().begin(), zip.entries().end(),
                    [](const ZipEntry& e) { return e.name.ends_with("/constants.pkl"); });
    throw Error(source + (torchscript ? ": a TorchScript archive (torch.jit.save), not a "
                                        "torch.save file: save its state_dict() instead"
                                      : ": a zip archive without data.pkl: not a torch.save file"));
  }
  const std::string folder = pkl->name.substr(0, pkl->name.find('/'));
  if (const ZipEntry* order = zip.find(folder + "/byteorder")) {
    if (zip.raw(*order) != "little") {
      throw Error(fmt::format("{}: byteorder '{}': only little-endian files are supported", source,
                              zip.raw(*order).substr(0, 16)));
    }
  }
  const auto stored = [&](const ZipEntry& e) {
    if (e.method != kZipStored || e.compressed_size != e.size) {
      throw Error(
          fmt::format("{}: record '{}' is compressed (method {}); torch.save stores its "
                      "records uncompressed",
                      source, e.name, e.method));
    }
    return zip.raw(e);
  };
  pickle::Document doc =
      pickle::load(stored(*pkl), policy, {.source = source + ": " + pkl->name, .limits = {}});
  name_tensors(*doc.root(), policy);
  for (const auto& [key, storage] : policy.storages()) {
    const std::string record = fmt::format("{}/data/{}", folder, key);
    const ZipEntry* e = zip.find(record);
    if (e == nullptr) {
      throw Error(
          fmt::format("{}: data.pkl names storage '{}'{}, but the archive has no record "
                      "'{}' (a missing storage)",
                      source, key, user_of(*storage, policy), record));
    }
    const std::string_view bytes = stored(*e);
    check_storage_size(*storage, bytes.size(), record, source, policy);
    storage->bytes = bytes;
  }
  return doc;
}

// One of the legacy format's header pickles, checked with `ok`.
size_t legacy_header(std::string_view bytes, size_t offset, const std::string& source,
                     const char* what, bool (*ok)(const Value&)) {
  pickle::Document doc = pickle::load(bytes, {.source = source, .limits = {}, .offset = offset});
  if (!ok(*doc.root())) {
    throw Error(fmt::format("{}: legacy torch.save header: unexpected {} {}", source, what,
                            pickle::describe(*doc.root(), 80)));
  }
  return doc.end();
}

pickle::Document load_legacy(const std::shared_ptr<const MappedFile>& file, TorchPolicy& policy) {
  const std::string& source = file->label();
  const std::string_view bytes = file->bytes();
  size_t at = legacy_header(bytes, 0, source, "magic number",
                            [](const Value& v) { return v.int_equals_hex(kLegacyMagicHex); });
  at = legacy_header(bytes, at, source, "protocol version",
                     [](const Value& v) { return v.as_int() == kLegacyProtocol; });
  at = legacy_header(bytes, at, source, "sys_info", [](const Value& v) {
    const Value* little = v.get("little_endian");
    return little != nullptr && little->as_bool() == true;
  });
  pickle::Document doc =
      pickle::load(bytes, policy, {.source = source, .limits = {}, .offset = at});
  name_tensors(*doc.root(), policy);
  const pickle::Document keys =
      pickle::load(bytes, {.source = source, .limits = {}, .offset = doc.end()});
  if (!keys.root()->is_list()) {
    throw Error(source + ": legacy torch.save: the storage keys are not a list");
  }
  // Then each storage in the order of that list: an int64 element count and its bytes.
  at = keys.end();
  for (const Value* key : keys.root()->items) {
    const auto it = policy.storages().find(std::string(key->as_string_view()));
    if (!key->is_string() || it == policy.storages().end()) {
      throw Error(fmt::format("{}: legacy storage list names {}, which no tensor uses", source,
                              pickle::describe(*key, 40)));
    }
    StorageRecord& s = *it->second;
    int64_t numel = 0;
    if (bytes.size() - at < sizeof numel) {
      throw Error(fmt::format("{}: storage '{}'{} is missing: the file ends at byte {}", source,
                              s.key, user_of(s, policy), bytes.size()));
    }
    std::memcpy(&numel, bytes.data() + at, sizeof numel);
    at += sizeof numel;
    if (numel != s.numel) {
      throw Error(
          fmt::format("{}: storage '{}'{} has {} elements in the file but {} in its "
                      "persistent id (an element-size mismatch)",
                      source, s.key, user_of(s, policy), numel, s.numel));
    }
    const uint64_t size = static_cast<uint64_t>(numel) * spec::dtype_size(s.dtype);
    if (numel < 0 || size / spec::dtype_size(s.dtype) != static_cast<uint64_t>(numel) ||
        size > bytes.size() - at) {
      throw Error(
          fmt::format("{}: storage '{}'{} needs {} bytes at byte {}, but the file ends at "
                      "byte {} (truncated or corrupt)",
                      source, s.key, user_of(s, policy), size, at, bytes.size()));
    }
    s.bytes = bytes.substr(at, size);
    at += size;
  }
  for (const auto& [key, s] : policy.storages()) {
    if (s->bytes.data() == nullptr && s->numel > 0) {
      throw Error(
          fmt::format("{}: storage '{}'{} is not in the legacy storage list (a missing "
                      "storage)",
                      source, key, user_of(*s, policy)));
    }
  }
  return doc;
}

}  // namespace

bool looks_like_torch_save(std::string_view bytes) {
  return looks_like_zip(bytes) || bytes.starts_with(kLegacyStart);
}

TorchFile TorchFile::read(const std::filesystem::path& path) {
  return parse(MappedFile::open(path));
}

TorchFile TorchFile::parse(std::shared_ptr<const MappedFile> file) {
  const std::string& source = file->label();
  TorchPolicy policy(source);
  TorchFile out;
  const std::string_view bytes = file->bytes();
  if (looks_like_zip(bytes)) {
    out.format_ = Format::kZip;
    out.doc_ = std::make_unique<pickle::Document>(load_zip(file, policy));
  } else if (bytes.starts_with(kLegacyStart)) {
    out.format_ = Format::kLegacy;
    out.doc_ = std::make_unique<pickle::Document>(load_legacy(file, policy));
  } else {
    throw Error(source +
                ": not a torch.save file (neither a zip archive nor the legacy pickle format)");
  }
  bind_tensors(policy, source, file);
  // Reading the zip's local headers touched a page (or, where the page cache holds large folios,
  // up to 2 MB) at every record; drop them all: each tensor's pages come back when it is copied.
  file->release(file->bytes());
  out.root_ = out.doc_->root();
  out.tensors_ = policy.tensors().size();
  out.file_ = std::move(file);
  return out;
}

const StoredTensor* as_tensor(const Value& value) {
  const TensorRecord* record = detail::as_tensor_record(value);
  return record == nullptr ? nullptr : &record->tensor;
}

const std::vector<std::pair<Value*, Value*>>& dict_entries(const Value& value) {
  static const std::vector<std::pair<Value*, Value*>> kNone;
  return value.is_dict() || value.is_object() ? value.entries : kNone;
}

const Value* lookup(const Value& dict, std::string_view key) {
  const Value* found = nullptr;
  for (const auto& [k, v] : dict_entries(dict)) {
    if (k->is_string() && k->as_string_view() == key) found = v;  // the last wins, as in Python
  }
  return found;
}

const Value& find_state_dict(const TorchFile& file, std::string* key) {
  const auto is_state_dict = [](const Value& v) {
    const auto& entries = dict_entries(v);
    return !entries.empty() && std::all_of(entries.begin(), entries.end(), [](const auto& e) {
      return e.first->is_string() && as_tensor(*e.second) != nullptr;
    });
  };
  const Value& root = file.root();
  if (is_state_dict(root)) {
    if (key != nullptr) key->clear();
    return root;
  }
  for (const char* name : {"state_dict", "model_state_dict", "model", "module"}) {
    const Value* v = lookup(root, name);
    if (v != nullptr && !dict_entries(*v).empty() && as_tensor(*dict_entries(*v)[0].second)) {
      if (key != nullptr) *key = name;
      return *v;
    }
  }
  std::vector<std::string> keys;
  for (const auto& [k, v] : dict_entries(root)) keys.push_back(pickle::describe(*k, 40));
  throw Error(
      fmt::format("{}: no state dict: the file holds {}{}; expected a dict of tensors or "
                  "a 'state_dict' entry",
                  file.source(), pickle::describe(root, 60),
                  keys.empty() ? "" : fmt::format(" with keys {}", fmt::join(keys, ", "))));
}

Weights state_dict_weights(const TorchFile& file, const Value& state_dict,
                           std::vector<std::string>* skipped) {
  Weights w;
  w.source = file.source();
  for (const auto& [k, v] : dict_entries(state_dict)) {
    const StoredTensor* t = as_tensor(*v);
    if (!k->is_string() || t == nullptr) {
      if (skipped != nullptr) skipped->push_back(pickle::describe(*k, 60));
      continue;
    }
    StoredTensor copy = *t;
    copy.name = std::string(k->as_string_view());
    w.tensors.push_back(std::move(copy));
  }
  w.sort_and_check_unique();
  return w;
}

}  // namespace cola::checkpoint::torch_file
