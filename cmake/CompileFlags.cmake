# Warnings for our own targets only (third-party headers come in as SYSTEM includes).
set(COLA_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough)
# GCC 12 reports bogus -Wrestrict overlaps for `"literal" + std::string` at -O2 (GCC bug 105329,
# fixed in 13); the warning would otherwise fire on ordinary string concatenation.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND COLA_WARNINGS -Wno-restrict)
endif()
# Warnings are errors by default with the compilers the project pins (Debian 12's GCC 12 and
# Clang 14), as .ci/run has them: a developer's build is then CI's, flag for flag, so a clean clone
# checked by .ci/run reuses the working tree's ccache entries (cmake/Ccache.cmake). With any other
# compiler a new warning should not stop a user's build: OFF unless COLA_WERROR=ON.
set(COLA_WERROR_EFFECTIVE "${COLA_WERROR}")
if(COLA_WERROR_EFFECTIVE STREQUAL "")
  set(COLA_WERROR_EFFECTIVE OFF)
  if((CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
      AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
     OR (CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 14
         AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 15))
    set(COLA_WERROR_EFFECTIVE ON)
  endif()
endif()
if(COLA_WERROR_EFFECTIVE)
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
