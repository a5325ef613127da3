// Pieces of the PromQL parser shared by its source files (not a public API):
// literal conversion with Go's rules and messages, and the type checker.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "promql/ast.h"

namespace tsdb::promql::internal {

// The deepest expression the parser builds. Prometheus has no limit; we
// stop here so that nested input cannot exhaust the stack of the parser, the
// checker, the printer or the engine.
inline constexpr int kMaxDepth = 500;

struct ParseError {
  PosRange pos;
  std::string message;
};

// A NUMBER token's value as Prometheus computes it: strconv.ParseInt(s, 0,
// 64) (so 0x1f and 0755 are integers), else strconv.ParseFloat. On failure
// *error is Go's message, e.g. `strconv.ParseFloat: parsing "0x": invalid syntax`.
bool ParseNumberText(std::string_view text, double* value, std::string* error);

// A DURATION token as prometheus/common's model.ParseDuration reads it, in
// nanoseconds, with its messages ("not a valid duration string: \"5m1h\"").
bool ParseDurationText(std::string_view text, int64_t* ns, std::string* error);

// Prometheus's type checks (checkAST) over a freshly parsed tree. Fixes up
// vector matching as Prometheus does (set operators become many-to-many,
// matching is dropped where a side is a scalar). Returns false with the
// first error.
bool CheckTypes(Expr& e, std::string_view query, ParseError* error);

}  // namespace tsdb::promql::internal
