#pragma once
// GET /: one page with no external assets where a sentence typed gets its scores.
#include <string_view>

namespace cola::serve {

/// The page's HTML (inline CSS and JavaScript calling POST /predict and GET /info).
std::string_view index_html();

}  // namespace cola::serve
