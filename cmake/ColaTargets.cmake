# Helpers that keep every module and test declared the same way.

# cola_module(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...]) -> shared library cola_<NAME>.
# Headers are included as "<module>/<file>.h" from src/. Shared, not static: the LibTorch half of
# the CLI is dlopen'ed on demand (app/cola/torch_plugin.h), and both halves must share one copy of
# each module's state (the logger, the interrupt flag).
function(cola_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(cola_${name} SHARED ${ARG_SOURCES})
  # COLA_UNITY_BUILD (the fuzz preset): one translation unit per module, so that the sanitizer
  # build of `make sanitize` parses each module's heavy headers once instead of once per file.
  set_target_properties(cola_${name} PROPERTIES UNITY_BUILD ${COLA_UNITY_BUILD})
  target_include_directories(cola_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  target_link_libraries(cola_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(cola_${name} PRIVATE ${COLA_WARNINGS})
  install(TARGETS cola_${name} LIBRARY DESTINATION ${COLA_INSTALL_PKGLIBDIR})
endfunction()

# cola_test(NAME SOURCES ... DEPS ... LABELS ...) -> one gtest binary registered as one CTest case.
# One process per binary (not per test case) keeps LibTorch's start-up cost paid once.
function(cola_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} cola_test_support GTest::gtest GTest::gmock
                                        GTest::gtest_main)
  target_compile_options(${name} PRIVATE ${COLA_WARNINGS})
  add_test(NAME ${name} COMMAND ${name} --gtest_color=no)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# cola_torch_pch(TARGET): a precompiled header of the LibTorch headers our torch code uses. Each
# LibTorch translation unit costs ~20 s of parsing without it. Per target, not REUSE_FROM: shared
# libraries (-fPIC, <target>_EXPORTS) and executables (-fPIE) cannot share one .gch.
function(cola_torch_pch target)
  target_precompile_headers(${target} PRIVATE
    <torch/nn/module.h>
    <torch/nn/modules/linear.h>
    <torch/nn/modules/embedding.h>
    <torch/nn/modules/normalization.h>
    <torch/nn/modules/container/modulelist.h>
    <torch/optim/adamw.h>)
endfunction()
