# Where `cmake --install` and `make package` put cola (core/install_dirs.h reads the same names):
#   bin/cola, lib/cola/ (our libraries, the LibTorch plugin, ONNX Runtime), share/cola/ (configs,
#   onnxruntime-web). A private lib/cola, not the system's library directory: our libraries have no
#   stable ABI and ONNX Runtime's is not Debian's, so nothing else should link them.
set(COLA_INSTALL_PKGLIBDIR lib/cola)
set(COLA_INSTALL_PKGDATADIR share/cola)

# Installed binaries find each other through RPATH, relative to themselves (so the tree can be
# relocated); the build tree keeps its own absolute RPATH until install rewrites it.
set(CMAKE_INSTALL_RPATH "$ORIGIN")
