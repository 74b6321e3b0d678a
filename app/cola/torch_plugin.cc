#include "app/cola/torch_plugin.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "core/install_dirs.h"

namespace cola::app {
namespace fs = std::filesystem;
namespace {

// $COLA_TORCH_PLUGIN, else beside the executable (the build tree), else an installed cola's
// lib/cola (core/install_dirs.h).
fs::path plugin_path() {
  if (const char* env = std::getenv("COLA_TORCH_PLUGIN"); env != nullptr && *env != '\0')
    return env;
  const fs::path exe = core::executable_path();
  fs::path beside = (exe.empty() ? fs::path(".") : exe.parent_path()) / "libcola_torch.so";
  if (fs::exists(beside)) return beside;
  const auto lib_dir = core::installed_lib_dir();
  return lib_dir ? *lib_dir / "libcola_torch.so" : beside;
}

const TorchPlugin& load() {
  const fs::path path = plugin_path();
  if (!fs::exists(path)) {
    throw Error(
        fmt::format("this command needs LibTorch, but {} is missing (was cola built with "
                    "COLA_WITH_TORCH=OFF?)",
                    path.string()));
  }
  // RTLD_GLOBAL is not needed: the plugin resolves everything through its own DT_NEEDED.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw Error(fmt::format("cannot load {}: {}", path.string(), ::dlerror()));
  using Entry = const TorchPlugin* (*)();
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, "cola_torch_plugin"));
  if (entry == nullptr) throw Error(fmt::format("{}: no cola_torch_plugin entry", path.string()));
  const TorchPlugin* plugin = entry();
  if (plugin->abi != kTorchPluginAbi) {
    throw Error(fmt::format("{} has plugin ABI {}, this cola expects {} (rebuild both)",
                            path.string(), plugin->abi, kTorchPluginAbi));
  }
  return *plugin;  // never dlclose'd: LibTorch does not support being unloaded
}

}  // namespace

const TorchPlugin& torch_plugin() {
  static const TorchPlugin& plugin = load();
  return plugin;
}

}  // namespace cola::app
