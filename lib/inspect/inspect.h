// tsdb-inspect's subcommands over a data directory (or one block folder):
// list the blocks, dump their samples as exposition text, verify them.
//
// Everything here is read-only and takes no lock, so it runs beside a live
// Prometheus. Blocks only: the head's wal/ and chunks_head/ are not read.
// Data goes to the given Output; diagnostics and summaries go to the log.
//
// Statuses follow lib/cli/exit_status.h: a bad flag value (format, selector,
// time) is Usage (exit 2); a directory that cannot be read, or a block that
// cannot be opened for list/dump, is NotFound/IOError/Corruption (exit 1).
// Verify's findings are data, not errors: RunVerify returns OK and sets
// *problems_found, which the command turns into exit 3.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/output.h"
#include "model/status.h"

namespace tsdb::inspect {

struct ListOptions {
  std::string dir;
  std::string format;  // table, tsv, csv, json, jsonl; empty: table on a terminal, tsv otherwise
};
Status RunList(const ListOptions& opt, cli::Output* out);

struct DumpOptions {
  std::string dir;
  std::vector<std::string> match;  // selectors, OR'ed; none: every series
  std::string min_time;            // ParseTimestamp syntax; empty: no bound
  std::string max_time;
  std::string format = "prom";  // prom, openmetrics, jsonl, csv
  bool quiet = false;
  int64_t now_ms = 0;  // for now-1h; 0: the clock
};
Status RunDump(const DumpOptions& opt, cli::Output* out);

// One finding of verify.
struct Problem {
  std::string block;              // ULID folder name, or "" for the data directory itself
  std::string file;               // relative to the block: "index", "chunks/000001", "meta.json", ...
  std::optional<uint64_t> offset;  // byte offset in `file`, when known
  std::string kind;               // one of the kinds below
  std::string message;
};

// Problem kinds (stable, for scripts):
//   missing-file   meta.json, index or chunks/ absent, or a chunks/ segment gap
//   meta           meta.json unreadable or inconsistent (ulid, range, version)
//   index          index structure or CRC (from IndexReader::VerifyAll / Open)
//   segment        chunk segment file header, length, or bytes between chunks
//   chunk-ref      a chunk reference outside its segment or not at a chunk start
//   chunk-crc      a chunk's CRC32C does not match
//   chunk-decode   the chunk's bytes do not decode (encoding, bit stream)
//   chunk-order    samples not in strictly increasing time order
//   chunk-range    a sample outside its chunk meta's [min,max], or chunk metas of a series out of order
//   block-range    a sample or chunk outside the block's [minTime, maxTime)
//   stats          meta.json stats differ from the counted series, chunks, samples, tombstones
//   tombstones     tombstones file unreadable
//   overlap        two blocks (of one downsampling resolution) overlap in time
//   leftover       a .tmp-for-creation / .tmp-for-deletion folder left by an interrupted write or delete
//   stray          something in the data directory named like a block that is not a folder
struct VerifyReport {
  std::vector<Problem> problems;
  uint64_t blocks = 0;
  uint64_t series = 0;
  uint64_t chunks = 0;
  uint64_t samples = 0;
};

// Checks every block of `dir` (a data directory or one block folder). Fails
// (NotFound/IOError) only when `dir` itself cannot be read; everything wrong
// inside is a Problem. `progress` shows a counter on a terminal.
Result<VerifyReport> Verify(const std::string& dir, bool progress = false);

struct VerifyOptions {
  std::string dir;
  std::string format;  // table, tsv, csv, json, jsonl; empty: table on a terminal, tsv otherwise
  bool quiet = false;
};
Status RunVerify(const VerifyOptions& opt, cli::Output* out, bool* problems_found);

}  // namespace tsdb::inspect
