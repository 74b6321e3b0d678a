#pragma once
// Just enough of the zip format (PKWARE APPNOTE.TXT, sections 4.3.7, 4.3.12, 4.3.16) to take one
// file out of a downloaded archive: no zip64, no encryption, no multi-disk archives.
#include <string>
#include <string_view>

namespace cola::data {

/// The uncompressed bytes of entry `name` (e.g. "cola_public/raw/in_domain_dev.tsv") of an archive
/// held in memory. Handles the stored and deflate methods; checks the size and CRC-32.
std::string extract_zip_entry(std::string_view archive, std::string_view name);

}  // namespace cola::data
