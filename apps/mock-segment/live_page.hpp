// The live page served at "/": one self-contained HTML page (no CDN, no build step) with four
// views of GET /admin/summary, polled every second: Invocations, Funnels, Commands, the raw
// event stream, and what was refused. Values are inserted as text, never as HTML.
#pragma once

#include <string_view>

namespace mock_segment {
extern const std::string_view live_page_html;
}
