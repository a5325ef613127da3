// Series selectors: `metric{a="b", c=~"d.*"}` as PromQL and the HTTP API
// (match[]) write them.
//
// Accepts a metric name alone (`up`), matchers alone (`{job="node"}`), both,
// quoted UTF-8 names (`{"my.metric", "label.x"="v"}`), the three PromQL
// string quotes, and a trailing comma. As in Prometheus, a selector must hold
// at least one matcher that does not match the empty string. Errors name the
// column: `1:7: unexpected "}", expected a label matcher operator`.
#pragma once

#include <string_view>
#include <vector>

#include "model/matcher.h"
#include "model/status.h"

namespace tsdb {

Result<std::vector<Matcher>> ParseSelector(std::string_view input);

// The canonical spelling of a selector, as Prometheus prints it:
// `up{job="node"}`, or `{"my.metric", a="b"}` for a non-legacy name.
std::string SelectorToString(const std::vector<Matcher>& matchers);

}  // namespace tsdb
