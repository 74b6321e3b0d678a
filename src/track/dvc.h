#pragma once
// DVC 3-compatible `.dvc` files, so DVC users can track and `dvc push` cola's artifacts:
//   outs:
//   - md5: <hash>      a file's md5, or a directory's "<md5 of its .dir listing>.dir"
//     size: <bytes>    a directory's total
//     nfiles: <n>      directories only
//     hash: md5        DVC 3's marker (DVC 2 hashed text files after dos2unix; DVC 3 does not)
//     path: <name>     relative to the .dvc file
// The .dir listing is the JSON DVC's dvc_data Tree.as_bytes() writes: json.dumps of
// [{"md5": ..., "relpath": ...}] sorted by relpath, with Python's default separators and ASCII
// escapes.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cola::track {

struct DvcEntry {
  std::string relpath;  // '/'-separated, relative to the directory
  std::string md5;
};

struct DvcHash {
  std::string md5;          // as written to the .dvc file (with ".dir" for a directory)
  uint64_t size = 0;        // bytes (a directory: the sum over its files)
  int64_t nfiles = -1;      // number of files; -1 for a file
  std::string dir_listing;  // a directory's .dir JSON; empty for a file
};

/// The .dir JSON of a directory's entries, exactly as Python's json.dumps(..., sort_keys=True)
/// writes it after sorting by relpath.
std::string dvc_dir_listing(std::vector<DvcEntry> entries);

/// Hashes a file or a directory (every regular file below it) as DVC 3 does.
DvcHash dvc_hash(const std::filesystem::path& artifact);

/// Writes <artifact>.dvc beside the artifact (atomically) and returns its path.
std::filesystem::path write_dvc_file(const std::filesystem::path& artifact);

}  // namespace cola::track
