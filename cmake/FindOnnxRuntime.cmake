# Finds ONNX Runtime's C/C++ API. Search order:
#   1. -DONNXRUNTIME_ROOT=... or the ONNXRUNTIME_ROOT environment variable (an official release:
#      a directory with include/ and lib/);
#   2. the cache made by scripts/fetch-onnxruntime.sh: ${COLA_CACHE_DIR:-~/.cache/cola}/onnxruntime-1.30.0.
# Defines the imported target OnnxRuntime::OnnxRuntime and OnnxRuntime_API_VERSION (the headers'
# ORT_API_VERSION; we need 29, which the 1.30 library serves). The library's own version is checked
# at run time (tests/runtime), since a header cannot tell it.
if(NOT ONNXRUNTIME_ROOT AND DEFINED ENV{ONNXRUNTIME_ROOT})
  set(ONNXRUNTIME_ROOT "$ENV{ONNXRUNTIME_ROOT}")
endif()
if(DEFINED ENV{COLA_CACHE_DIR})
  set(_ort_cache "$ENV{COLA_CACHE_DIR}/onnxruntime-1.30.0")
else()
  set(_ort_cache "$ENV{HOME}/.cache/cola/onnxruntime-1.30.0")
endif()
set(_ort_hints ${ONNXRUNTIME_ROOT} ${_ort_cache})

find_path(OnnxRuntime_INCLUDE_DIR onnxruntime_cxx_api.h
  HINTS ${_ort_hints} PATH_SUFFIXES include include/onnxruntime NO_DEFAULT_PATH)
find_library(OnnxRuntime_LIBRARY NAMES onnxruntime libonnxruntime.so.1
  HINTS ${_ort_hints} PATH_SUFFIXES lib lib64 NO_DEFAULT_PATH)

if(OnnxRuntime_INCLUDE_DIR)
  file(STRINGS "${OnnxRuntime_INCLUDE_DIR}/onnxruntime_c_api.h" _ort_api REGEX "#define ORT_API_VERSION ")
  string(REGEX MATCH "[0-9]+" _ort_api "${_ort_api}")
  set(OnnxRuntime_API_VERSION "${_ort_api}")
  if(_ort_api LESS 29)
    message(FATAL_ERROR "ONNX Runtime headers in ${OnnxRuntime_INCLUDE_DIR} have API version "
                        "${_ort_api}; cola needs 29 (ONNX Runtime 1.29+)")
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(OnnxRuntime
  REQUIRED_VARS OnnxRuntime_LIBRARY OnnxRuntime_INCLUDE_DIR
  REASON_FAILURE_MESSAGE "run scripts/fetch-onnxruntime.sh or set ONNXRUNTIME_ROOT")

if(OnnxRuntime_FOUND AND NOT TARGET OnnxRuntime::OnnxRuntime)
  add_library(OnnxRuntime::OnnxRuntime SHARED IMPORTED)
  set_target_properties(OnnxRuntime::OnnxRuntime PROPERTIES
    IMPORTED_LOCATION "${OnnxRuntime_LIBRARY}"
    IMPORTED_SONAME "libonnxruntime.so.1"
    INTERFACE_INCLUDE_DIRECTORIES "${OnnxRuntime_INCLUDE_DIR}")
endif()
mark_as_advanced(OnnxRuntime_INCLUDE_DIR OnnxRuntime_LIBRARY)
