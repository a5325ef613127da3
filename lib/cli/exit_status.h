// The exit statuses every command documents (DESIGN.md "Conventions").
#pragma once

#include "model/status.h"

namespace tsdb::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;        // I/O error, corrupt input that stopped the work
inline constexpr int kExitUsage = 2;          // bad flags or arguments
inline constexpr int kExitProblemsFound = 3;  // a check ran and found problems

// kUsage (a bad flag or argument) exits 2; everything else that stops the
// work exits 1. Where a value came from decides: a bad selector in --match is
// the command line's (the command wraps it as Usage), the same text inside an
// input file is the input's (exit 1).
int ExitStatusFor(const Status& status);

}  // namespace tsdb::cli
