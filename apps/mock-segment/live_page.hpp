// The live page served at "/": a self-contained HTML table of received events that refreshes
// itself from /admin/events every second. Values are inserted as text, never as HTML.
#pragma once

#include <string_view>

namespace mock_segment {
extern const std::string_view live_page_html;
}
