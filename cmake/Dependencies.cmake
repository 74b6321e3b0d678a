# Every third-party dependency of cola, in one place, each with the reason it is here.
# All come from Debian 12 packages (scripts/install-deps.sh) except ONNX Runtime, which comes from
# the pinned, hash-checked cache made by scripts/fetch-onnxruntime.sh.
find_package(PkgConfig REQUIRED)

find_package(yaml-cpp REQUIRED)        # Hydra-style YAML configs
find_package(CLI11 REQUIRED)           # command-line parsing
find_package(nlohmann_json REQUIRED)   # JSON: HF config.json, safetensors headers, JSONL, metadata
find_package(fmt REQUIRED)             # string formatting
find_package(spdlog REQUIRED)          # logging, only behind core/log.h
find_package(Protobuf REQUIRED)        # ONNX protobuf types, TensorBoard event records
find_package(ZLIB REQUIRED)            # inflate the CoLA zip's entries; deflate PNG confusion matrices
find_package(OpenSSL REQUIRED)         # sha256 and md5 (DVC) via libcrypto: checksums, manifests
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)  # tokenizer: NFD, categories
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)   # core/http_client.cc (the client) and serve/ (the server, behind a pimpl)
find_package(OnnxRuntime REQUIRED)      # ONNX Runtime C/C++ API; only src/runtime includes it
find_package(ONNX REQUIRED)             # ModelProto types, checker, shape inference (src/graph)

if(COLA_WITH_TORCH)
  find_package(Torch REQUIRED)         # model, training, native inference (LibTorch 1.13)
  # Gloo, the c10d backend of multi-process training (src/train/process_group.cc): LibTorch links
  # it already, but its headers, which ProcessGroupGloo.hpp includes, come from libgloo-dev.
  find_library(GLOO_LIBRARY NAMES gloo REQUIRED)
  find_path(GLOO_INCLUDE_DIR gloo/context.h REQUIRED)
endif()

if(COLA_BUILD_TESTS)
  find_package(GTest REQUIRED)         # unit and end-to-end tests
endif()
if(COLA_BUILD_BENCH)
  find_package(benchmark REQUIRED)     # bench/ programs
endif()
