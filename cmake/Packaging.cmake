# `make package`: build/<preset>/cola_<version>_amd64.deb (CPack, DEB), laid out as
# cmake/InstallLayout.cmake says. Its Depends is computed, not written: dpkg-shlibdeps reads every
# installed ELF file's NEEDED entries and names the Debian packages that provide them, so the list
# holds exactly what runs, never a -dev package. tests/deploy/package_test.sh installs it in a clean
# Debian 12 root to prove that.

# `make package` builds only the CLI and what it loads before cpack installs them: installing must not
# wait for the tests and benchmarks, which are more than half of a build.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/configs/" DESTINATION ${COLA_INSTALL_PKGDATADIR}/configs)

# ONNX Runtime has no Debian package: its library goes beside ours, under its SONAME (what the
# binaries' NEEDED names), whether the build found the npm cache's file or an official release's.
file(REAL_PATH "${OnnxRuntime_LIBRARY}" _ort_library)
install(FILES "${_ort_library}" DESTINATION ${COLA_INSTALL_PKGLIBDIR} RENAME libonnxruntime.so.1)

# onnxruntime-web's files, so that `cola web` works from the package (src/web/site.cc looks here).
if(EXISTS "${COLA_ORT_WEB_DIR}")
  install(DIRECTORY "${COLA_ORT_WEB_DIR}/" DESTINATION ${COLA_INSTALL_PKGDATADIR}/onnxruntime-web)
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cola)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "Trains a BERT sentence-acceptability classifier with LibTorch, exports it to ONNX and serves it with ONNX Runtime (TEI, Open Inference Protocol and SageMaker APIs).")
set(CPACK_PACKAGE_CONTACT "cola developers <cola@localhost>")
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # cola_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not a NEEDED entry, so shlibdeps cannot see it: without it Debian's LibTorch falls back to the
# reference BLAS, about 7x slower.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp")
# HTTPS to the Hugging Face Hub (cola hub download) and the CoLA download need the CA bundle.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
include(CPack)
