// Durations and timestamps as Prometheus users write them. All in milliseconds.
//
// Durations: Prometheus's syntax, units in descending order, each at most
// once: "15s", "2h", "1h30m", "1d", "1w", "1y" (365 days), "500ms", "0".
// Timestamps: RFC 3339 ("2026-11-22T18:00:00Z", "...T18:00:00.5+01:00"), Unix
// seconds with an optional fraction ("1700000000.123"), "now", and
// "now-1h" / "now+30m" relative to the `now_ms` the caller passes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/status.h"

namespace tsdb {

Result<int64_t> ParseDuration(std::string_view s);
// Prometheus's spelling: largest units first, "y" and "w" only when exact: 90d, 1w, 1h30m, 0s.
std::string FormatDuration(int64_t ms);

Result<int64_t> ParseTimestamp(std::string_view s, int64_t now_ms);
// RFC 3339 in UTC with milliseconds when not whole seconds: 2026-11-22T18:00:00.123Z
std::string FormatTimestamp(int64_t ms);

int64_t NowMillis();

}  // namespace tsdb
