#pragma once
// Python 3's fix_imports (internal): for protocols 0-2, pickle.Unpickler.find_class renames the
// Python 2 globals a pickle names (__builtin__.set -> builtins.set, copy_reg -> copyreg), so the
// policy matches one spelling whichever Python wrote the file.
#include <string_view>
#include <utility>

namespace cola::pickle::detail {

/// The (module, name) Python 3 imports for the Python 2 global module.name (Lib/_compat_pickle.py:
/// NAME_MAPPING, else IMPORT_MAPPING), or (module, name) unchanged when neither maps it.
std::pair<std::string_view, std::string_view> fix_import(std::string_view module,
                                                         std::string_view name);

}  // namespace cola::pickle::detail
