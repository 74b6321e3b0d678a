#include "support/torch_save_writer.h"

#include <zlib.h>

#include <cstring>
#include <stdexcept>

namespace cola::test {
namespace {

size_t element_size(const std::string& type) {
  static const std::map<std::string, size_t> kSizes = {
      {"FloatStorage", 4}, {"DoubleStorage", 8}, {"HalfStorage", 2},  {"BFloat16Storage", 2},
      {"LongStorage", 8},  {"IntStorage", 4},    {"ShortStorage", 2}, {"CharStorage", 1},
      {"ByteStorage", 1},  {"BoolStorage", 1}};
  const auto it = kSizes.find(type);
  return it == kSizes.end() ? 4 : it->second;
}

int64_t numel_of(const SavedStorage& s) {
  return s.numel >= 0 ? s.numel : static_cast<int64_t>(s.bytes.size() / element_size(s.type));
}

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// The protocol-2 opcodes torch.save's pickles use (Lib/pickletools.py names).
class Pickler {
 public:
  Pickler() { out_ = "\x80\x02"; }
  Pickler& global(const std::string& module, const std::string& name) {
    out_ += 'c' + module + '\n' + name + '\n';
    return *this;
  }
  Pickler& str(const std::string& s) {
    out_ += 'X';
    put_le(out_, s.size(), 4);
    out_ += s;
    return *this;
  }
  Pickler& integer(int64_t v) {
    out_ += "\x8a\x08";  // LONG1 of 8 bytes: any int64
    put_le(out_, static_cast<uint64_t>(v), 8);
    return *this;
  }
  Pickler& op(const char* opcode) {
    out_ += opcode;
    return *this;
  }
  Pickler& raw(const std::string& bytes) {
    out_ += bytes;
    return *this;
  }
  Pickler& ints(const std::vector<int64_t>& v) {
    op("(");
    for (const int64_t x : v) integer(x);
    return op("t");
  }
  std::string done() { return out_ + "."; }

 private:
  std::string out_;
};

std::vector<int64_t> contiguous(const std::vector<int64_t>& size) {
  std::vector<int64_t> stride(size.size(), 1);
  for (size_t i = size.size(); i-- > 1;) stride[i - 1] = stride[i] * size[i];
  return stride;
}

// The object: an OrderedDict of _rebuild_tensor_v2 calls, perhaps inside a Lightning dict.
std::string object_pickle(const TorchSave& spec, bool legacy) {
  Pickler p;
  if (spec.lightning_model_name) {
    p.op("}(").str("epoch").integer(2).str("global_step").integer(402);
    p.str("pytorch-lightning_version").str("1.2.10").str("state_dict");
  }
  p.global("collections", "OrderedDict").op(")R(");
  for (const auto& t : spec.tensors) {
    const SavedStorage& s = spec.storages.at(t.key);
    p.str(t.name).global("torch._utils", "_rebuild_tensor_v2").op("((");
    const std::string& type = t.declared_type.empty() ? s.type : t.declared_type;
    p.str("storage").global("torch", type).str(t.key).str("cpu").integer(numel_of(s));
    if (legacy) p.op("N");  // view_metadata
    p.op("tQ").integer(t.offset).ints(t.size).ints(t.stride.empty() ? contiguous(t.size)
                                                                    : t.stride);
    p.op("\x89").global("collections", "OrderedDict").op(")Rt").op("R");
  }
  for (const auto& [key, pickled] : spec.extra_pickled) p.str(key).raw(pickled);
  p.op("u");
  if (spec.lightning_model_name) {
    p.str("hparams_name").str("kwargs").str("hyper_parameters").op("}(");
    p.str("model_name").str(*spec.lightning_model_name).op("u").op("u");
  }
  return p.done();
}

// A stored zip entry with its local header; returns the central-directory record.
std::string add_entry(std::string& zip, const std::string& name, const std::string& data) {
  const uint32_t crc =
      crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()));
  const auto offset = static_cast<uint32_t>(zip.size());
  // Pad the local header's extra field so the data starts 64-byte aligned, as torch.save does.
  const size_t before = zip.size() + 30 + name.size() + 4;
  const size_t pad = (64 - before % 64) % 64;
  zip += "PK\x03\x04";
  put_le(zip, 0, 2);  // version
  put_le(zip, 0, 2);  // flags
  put_le(zip, 0, 2);  // stored
  put_le(zip, 0, 4);  // time, date
  put_le(zip, crc, 4);
  put_le(zip, data.size(), 4);
  put_le(zip, data.size(), 4);
  put_le(zip, name.size(), 2);
  put_le(zip, 4 + pad, 2);
  zip += name;
  zip += "FB";  // torch's padding extra field id
  put_le(zip, pad, 2);
  zip += std::string(pad, 'Z');
  zip += data;
  std::string central = "PK\x01\x02";
  put_le(central, 0, 2);
  put_le(central, 0, 2);
  put_le(central, 0, 2);
  put_le(central, 0, 2);
  put_le(central, 0, 4);
  put_le(central, crc, 4);
  put_le(central, data.size(), 4);
  put_le(central, data.size(), 4);
  put_le(central, name.size(), 2);
  put_le(central, 0, 2);  // extra
  put_le(central, 0, 2);  // comment
  put_le(central, 0, 2);  // disk
  put_le(central, 0, 2);  // internal attributes
  put_le(central, 0, 4);  // external attributes
  put_le(central, offset, 4);
  return central + name;
}

}  // namespace

std::string float_bytes(const std::vector<float>& values) {
  std::string out(values.size() * sizeof(float), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

std::string pickle_call(const std::string& module, const std::string& name,
                        const std::string& arg) {
  Pickler p;
  p.global(module, name).str(arg).op("\x85R");  // TUPLE1, REDUCE
  std::string bytes = p.done();
  return bytes.substr(2, bytes.size() - 3);  // without PROTO and STOP: to embed in another pickle
}

std::string torch_save_zip(const TorchSave& spec) {
  std::string zip;
  std::string directory;
  int entries = 0;
  const auto add = [&](const std::string& name, const std::string& data) {
    directory += add_entry(zip, spec.folder + "/" + name, data);
    ++entries;
  };
  add("data.pkl", spec.data_pkl ? *spec.data_pkl : object_pickle(spec, /*legacy=*/false));
  if (spec.byteorder) add("byteorder", *spec.byteorder);
  for (const auto& [key, storage] : spec.storages) {
    bool omitted = false;
    for (const auto& o : spec.omit_records) omitted = omitted || o == key;
    if (!omitted) add("data/" + key, storage.bytes);
  }
  add("version", "3\n");
  const auto directory_offset = static_cast<uint32_t>(zip.size());
  zip += directory;
  zip += "PK\x05\x06";
  put_le(zip, 0, 4);
  put_le(zip, entries, 2);
  put_le(zip, entries, 2);
  put_le(zip, directory.size(), 4);
  put_le(zip, directory_offset, 4);
  put_le(zip, 0, 2);
  return zip;
}

std::string torch_save_legacy(const TorchSave& spec) {
  std::string out;
  out += Pickler().raw("\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19").done();  // magic
  out += Pickler().op("M").raw(std::string("\xe9\x03", 2)).done();                  // 1001
  out += Pickler()
             .op("}(")
             .str("protocol_version")
             .integer(1001)
             .str("little_endian")
             .op("\x88")
             .str("type_sizes")
             .op("}(")
             .str("short")
             .integer(2)
             .str("int")
             .integer(4)
             .str("long")
             .integer(4)
             .op("uu")
             .done();
  out += object_pickle(spec, /*legacy=*/true);
  Pickler keys;
  keys.op("](");
  for (const auto& [key, storage] : spec.storages) keys.str(key);
  out += keys.op("e").done();
  for (const auto& [key, storage] : spec.storages) {
    put_le(out, static_cast<uint64_t>(numel_of(storage)), 8);
    out += storage.bytes;
  }
  return out;
}

}  // namespace cola::test
