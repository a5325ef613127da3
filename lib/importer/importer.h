// The work of `tsdb-scrape --db DIR FILE...`: bulk import of timestamped
// exposition text into blocks, as `promtool tsdb create-blocks-from
// openmetrics` does, for both text formats, from files or a pipe, streaming.
//
// Memory is bounded by --memory-limit plus the distinct label sets: samples
// are buffered and spilled to DIR/.import-<pid>/ in sorted runs (SampleSpill),
// series are interned (SeriesTable). Blocks are written only after the whole
// input parsed without error, one per block window [w, w + duration) in time
// order, each crash-safely by block::BlockWriter; a parse error writes
// nothing. Chunks are cut as promtool's importer cuts them (chunk range twice
// the block duration), so for the same input the blocks' chunks and index are
// byte for byte promtool's.
//
// Differences from promtool, on purpose: samples of a series may come in any
// order (they are sorted; promtool drops out-of-order samples or fails);
// samples without a timestamp take the import's start time (promtool fails).
// Equal timestamps in a series: an identical value is one sample; a
// different value is a conflict, counted and logged, and the first value read
// is kept — what promtool's appender keeps (when it does not fail: across its
// 5000-sample commits it stops with "duplicate sample for timestamp").
//
// DIR is locked (flock on DIR/lock, as Prometheus does) for the whole import:
// a directory whose lock is held (a running Prometheus) is refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/status.h"

namespace tsdb::importer {

struct ImportOptions {
  std::string db_dir;
  std::vector<std::string> inputs;  // files; empty or "-" is stdin
  std::string block_duration = "2h";
  std::string input_format = "auto";  // auto, prom, openmetrics
  std::string memory_limit = "256MiB";
  bool quiet = false;        // no progress, no summary
  int64_t now_ms = 0;        // timestamp of samples without one; 0: the time the import starts
  int max_logged_conflicts = 5;
};

struct ImportStats {
  uint64_t series = 0;      // distinct series read
  uint64_t samples = 0;     // samples written
  uint64_t read = 0;        // sample lines read
  uint64_t duplicates = 0;  // identical (t, v) repeats dropped
  uint64_t conflicts = 0;   // same t, other value: dropped, first value kept
  uint64_t blocks = 0;
  uint64_t block_bytes = 0;  // on disk, all written blocks
  uint32_t runs = 0;         // sorted runs (1: all in memory)
  uint64_t spilled_bytes = 0;
  std::vector<std::string> block_dirs;
  double elapsed_seconds = 0;
};

// "256MiB", "1GiB", "512KiB", "1G", "100MB", "4096": bytes.
Result<uint64_t> ParseByteSize(std::string_view s);

// Checks the options (a bad one is a Usage status: exit 2), imports, and
// returns what was done. Logs only conflicts, overlaps with blocks already in
// DIR, removed leftovers of interrupted imports, and (debug) each block.
Result<ImportStats> Import(const ImportOptions& options);

// Import plus the summary on stderr (unless quiet).
Status RunImport(const ImportOptions& options);

}  // namespace tsdb::importer
