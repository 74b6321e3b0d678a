// torch.save files (zip or legacy) and the pickles in them, from strangers: data only, every
// length checked, nothing ever executed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "checkpoint/torch_file.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "pickle/unpickler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    cola::pickle::load(bytes, cola::pickle::LoadOptions{.source = "fuzz.pkl"});
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  try {
    const auto file = cola::checkpoint::torch_file::TorchFile::parse(
        cola::MappedFile::from_bytes(std::string(bytes), "fuzz.bin"));
    std::string key;
    cola::checkpoint::torch_file::find_state_dict(file, &key);
  } catch (const cola::Error&) {
  } catch (const cola::UsageError&) {
  }
  return 0;
}
