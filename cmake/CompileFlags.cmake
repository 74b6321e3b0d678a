# Warnings for our own targets only (third-party headers come in as SYSTEM includes).
set(COLA_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough)
# GCC 12 reports bogus -Wrestrict overlaps for `"literal" + std::string` at -O2 (GCC bug 105329,
# fixed in 13); the warning would otherwise fire on ordinary string concatenation.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND COLA_WARNINGS -Wno-restrict)
endif()
if(COLA_WERROR)
  list(APPEND COLA_WARNINGS -Werror)
endif()

# ASan+UBSan, used by the `asan` preset. halt_on_error keeps UBSan findings fatal in tests.
set(COLA_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined")
if(COLA_SANITIZE)
  add_compile_options(-fsanitize=${COLA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${COLA_SANITIZE})
  # GCC 12 with -fsanitize reports -Wmaybe-uninitialized inside LibTorch's own headers
  # (c10::optional<at::Generator> reached from Tensor::normal_): a false positive of the
  # sanitizers' changed inlining, which -Werror would turn into a failed asan build.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND COLA_WARNINGS -Wno-maybe-uninitialized)
  endif()
endif()
