# Warnings for our own targets only (third-party headers come in as SYSTEM includes).
set(COLA_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough)
if(COLA_WERROR)
  list(APPEND COLA_WARNINGS -Werror)
endif()

# ASan+UBSan, used by the `asan` preset. halt_on_error keeps UBSan findings fatal in tests.
set(COLA_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address,undefined")
if(COLA_SANITIZE)
  add_compile_options(-fsanitize=${COLA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${COLA_SANITIZE})
endif()
