// Go-style string quoting, as PromQL, selectors and Labels::ToString use it.
//
// GoQuote writes a double-quoted literal that Go's strconv.Unquote (and so
// Prometheus) reads back to the same bytes. GoUnquote reads the three PromQL
// literal forms: "double" and 'single' with Go escapes, and `raw`.
#pragma once

#include <string>
#include <string_view>

#include "model/status.h"
#include "model/utf8.h"  // IsValidUTF8, for callers of quoting

namespace tsdb {

std::string GoQuote(std::string_view s);
// `literal` includes its quotes. Errors name the offset inside the literal.
Result<std::string> GoUnquote(std::string_view literal);

}  // namespace tsdb
