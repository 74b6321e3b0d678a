#pragma once
// The page's own files (web/: index.html and its JavaScript), compiled into cola by
// src/web/embed.cmake.
#include <span>
#include <string_view>

namespace cola::web {

struct Asset {
  std::string_view name;     // its path in the site, e.g. "app.js"
  std::string_view content;  // the file's bytes
};

std::span<const Asset> assets();

}  // namespace cola::web
