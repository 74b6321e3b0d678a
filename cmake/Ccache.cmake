# ccache as the compiler launcher of every preset, where it is installed (install-deps.sh installs it).
# Why: a clean clone (CI, a reviewer's check) would otherwise compile again all that the working
# tree has compiled: ~15 minutes on 2 cores.
# - CCACHE_BASEDIR=<source dir>: the clone's own paths (sources, -I, the build tree inside it) are
#   hashed relative to each compile's directory, so a clone at another path hits the same entries.
# - CCACHE_NOHASHDIR: the fuzz preset's -gline-tables-only would otherwise put the directory in the
#   hash; the debug info then names the first clone's paths, which only a debugger reads.
# - sloppiness pch_defines,time_macros: what ccache needs to cache compiles that use GCC's
#   precompiled headers (cola_torch_pch), which CMake brings in with -include; include_file_*time:
#   a fresh checkout's headers are all "new", which would otherwise make every compile uncacheable.
# COLA_CCACHE=OFF turns it off.
option(COLA_CCACHE "Compile through ccache when it is installed" ON)
find_program(COLA_CCACHE_PROGRAM ccache)
if(COLA_CCACHE AND COLA_CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      "${CMAKE_COMMAND}" -E env "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}" CCACHE_NOHASHDIR=1
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "${COLA_CCACHE_PROGRAM}")
  message(STATUS "ccache: ${COLA_CCACHE_PROGRAM} (base_dir ${PROJECT_SOURCE_DIR})")
endif()
