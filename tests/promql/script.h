// The PromQL test-script language of Prometheus (promql/promqltest/test.go),
// parsed into commands for the conformance runner (runner.cpp).
//
// A script is a sequence of commands separated by blank lines; lines are
// trimmed and a line starting with '#' counts as blank (so a comment ends a
// block, as in Prometheus):
//
//   load 5m                          (load_with_nhcb: the same, see below)
//     http_requests{job="api"} 0+10x10 _ stale 1x3 {{schema:0 sum:1 count:1}}
//   clear
//   eval instant at 50m sum(http_requests)      (eval_fail, eval_warn, eval_info, eval_ordered)
//     expect warn msg: PromQL warning: ...      (fail|warn|no_warn|info|no_info|ordered, msg:|regex:)
//     {} 100
//   eval range from 0 to 10m step 5m http_requests
//     http_requests{job="api"} 0 50 _
//
// Values use the series-description notation of Prometheus's parser: `a+bxN`
// and `a-bxN` are N+1 values, `axN` N+1 copies, `_` one missing sample, `_xN`
// N of them, `stale` a stale marker. Native histograms (`{{...}}`) are
// recognised and counted but not decoded: SequenceValue::histogram marks them.
//
// ParseScript never gives up on a file: a command that does not parse
// becomes a kError command (with its line) and parsing resumes after its
// block, so one bad command costs one result, not the whole file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/status.h"

namespace tsdb::promqltest {

struct SequenceValue {
  double value = 0;
  bool omitted = false;    // `_`: no sample at this position
  bool histogram = false;  // a native histogram sample, not decoded
};

// "1+2x3 _ stale" -> 1 3 5 7 _ stale.
Result<std::vector<SequenceValue>> ParseSequence(std::string_view text);

struct SeriesDesc {
  Labels labels;
  std::vector<SequenceValue> values;
};

// `metric{a="b"} 1 2 3`, `{a="b"} 1`, `{} 1`, `metric` (no values).
Result<SeriesDesc> ParseSeriesDesc(std::string_view line);

// A number as Go's strconv.ParseInt(s, 0, 64), then ParseFloat, read it:
// "1", "-2.5e3", "0x1f", "Inf", "NaN".
Result<double> ParseNumber(std::string_view s);

struct LoadCmd {
  int64_t interval_ms = 0;
  bool with_nhcb = false;                      // load_with_nhcb
  std::vector<SeriesDesc> series;              // each label set once: a later line replaces
  std::vector<Labels> start_timestamp_series;  // series given start timestamps (`metric@st ...`)
};

// One `expect fail|warn|info ...` line: an exact message, or a regex that
// must match somewhere in the text (none given: anything matches).
struct ExpectText {
  std::string text;
  bool regex = false;
};

struct ExpectedSeries {
  Labels labels;
  std::vector<SequenceValue> values;
  int pos = 0;  // position among the expectation lines, for ordered results
};

struct EvalCmd {
  std::string expr;
  bool range = false;
  // Range: the query's steps. Instant: start = eval time and end = INT64_MIN,
  // unless `expect range vector from A to B step S` set a range for the
  // matrix an instant query returns (the query then runs at B).
  int64_t start_ms = 0, end_ms = 0, step_ms = 0;
  int64_t eval_ms = 0;  // instant: when the query runs

  // The old forms: eval_fail, eval_warn, eval_info, eval_ordered.
  bool fail = false, warn = false, info = false, ordered = false;
  std::string fail_message;  // expected_fail_message
  std::string fail_regexp;   // expected_fail_regexp
  // The new forms.
  std::vector<ExpectText> expect_fail, expect_warn, expect_info;
  bool expect_no_warn = false, expect_no_info = false, expect_ordered = false;
  bool expect_range_vector = false;
  bool has_expected_string = false;
  std::string expected_string;

  bool expect_scalar = false;
  SequenceValue scalar;
  std::vector<ExpectedSeries> expected;
  bool expects_histogram = false;  // an expected value is a native histogram

  bool IsFail() const { return fail || !expect_fail.empty(); }
  bool IsOrdered() const { return ordered || expect_ordered; }
};

struct Command {
  enum class Kind { kLoad, kEval, kClear, kError };
  Kind kind = Kind::kError;
  int line = 0;  // 1-based line of the command
  LoadCmd load;
  EvalCmd eval;
  std::string error;  // kError: what did not parse (the command's first line is `line`)
  bool error_in_eval = false;  // kError: the broken command was an eval
};

std::vector<Command> ParseScript(std::string_view text);

// The text of a 1-based line of a script, trimmed (for messages).
std::string ScriptLine(std::string_view text, int line);

}  // namespace tsdb::promqltest
