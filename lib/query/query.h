// tsdb-query: PromQL over storage instead of a server, after
// `promtool query`: instant and range queries, series and label listings.
//
// Sources: data directories (store::DbStore: read-only, no lock, blocks and
// the head rebuilt from the WAL; several are one store), and exposition text
// from files or a pipe loaded into a store::MemoryStore (samples without a
// timestamp take --time). Both kinds may be given at once: they merge as
// several directories do. With neither, stdin is read when it is not a
// terminal.
//
// Output formats (--format; default table on a terminal, prom otherwise):
//   table  aligned columns for people
//   prom   exposition text with millisecond timestamps, one line per point,
//          that `tsdb-scrape --db DIR -` imports (series need a __name__:
//          --name sets it)
//   json   the `data` object of Prometheus's API answer, byte for byte
//   jsonl  one API result element (a sample, or a series) per line
//   csv    RFC 4180 with a header row, timestamps in milliseconds
//
// Statuses: a bad flag value or a query that does not parse is Usage
// (exit 2; a parse error is shown with the query and a caret under the
// position); an evaluation failure (kExecution, kTimeout, kCanceled) and a
// source that cannot be read exit 1. Annotations (warnings, infos) go to the
// process log.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/output.h"
#include "model/status.h"

namespace tsdb::query {

enum class Mode { kInstant, kRange, kSeries, kLabels };

struct Options {
  Mode mode = Mode::kInstant;
  std::string expr;                 // instant, range
  std::string time;                 // instant: evaluation time; also the time of untimestamped input samples
  std::string start, end, step;     // range; start and end also bound series and labels
  std::vector<std::string> match;   // series, labels: selectors, OR'ed
  std::string label_name;           // labels: list this label's values instead of the names

  std::vector<std::string> db;      // data directories, block folders, downsampled folders
  std::vector<std::string> input;   // exposition text files, "-" for stdin
  std::string aggregate = "avg";    // downsampled data: avg, count, sum, min, max, counter
  bool no_head = false;             // leave out the heads rebuilt from the WALs

  std::string format;               // table, prom, json, jsonl, csv; empty: table on a terminal, prom otherwise
  std::string name;                 // __name__ for every output series

  std::string lookback_delta = "5m";
  int64_t max_samples = 50'000'000;
  std::string timeout = "2m";
  std::vector<std::string> features;  // --enable-feature, each may be a comma list

  bool format_query = false;        // print the canonical form and stop
  bool explain = false;             // print the syntax tree and stop
  bool quiet = false;
  int64_t now_ms = 0;               // for tests; 0: the clock
  bool stdin_is_terminal = false;   // set by the command (isatty(0))
};

// Runs the query and writes the result to `out`. A query that does not
// parse is reported on stderr (the message, the query and a caret) and
// *exit_status is set to 2 with an OK return, so that the command exits 2
// without the usage hint; otherwise *exit_status is left alone.
Status Run(const Options& opt, cli::Output* out, int* exit_status);

// "  rate(x[5m)\n            ^\n": the query's line holding byte `pos`,
// indented two spaces, and a caret under the position (columns counted in
// characters, tabs kept so the caret lines up).
std::string CaretDisplay(std::string_view query, int pos);

}  // namespace tsdb::query
