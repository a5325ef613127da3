// DataDir: what a directory holds, as tsdb-inspect sees it before opening
// anything: block folders, leftovers of interrupted writes or deletions, and
// nothing else.
//
// A DIR given on the command line is either a data directory (its block
// folders are the subfolders whose names parse as ULIDs) or one block folder
// (its own name is a ULID and it holds meta.json, index or chunks/). The
// head's wal/ and chunks_head/, the lock file and queries.active are not
// looked at. Reading a directory takes no lock and changes nothing.
//
// This scan is done here rather than with block::ListBlockDirs because
// verify must also report what ListBlockDirs skips silently (ULID-named
// files, unreadable entries) and must accept a single block folder.
#pragma once

#include <string>
#include <vector>

#include "model/status.h"

namespace tsdb::inspect {

struct DataDir {
  std::string path;                 // as given
  bool single_block = false;        // path is itself a block folder
  std::vector<std::string> blocks;  // full paths of block folders, in name (= ULID = creation) order
  // Names (not paths) of "<ulid>.tmp-for-creation" / "<ulid>.tmp-for-deletion"
  // folders (and Prometheus 2.0's "<ulid>.tmp").
  std::vector<std::string> leftovers;
  // Names of entries whose name is a ULID but that are not folders.
  std::vector<std::string> not_folders;
};

// NotFound when `path` does not exist; IOError when it cannot be read or is
// not a folder.
Result<DataDir> ScanDataDir(const std::string& path);

// "data/01H..." -> "01H...": the last path component, for messages and rows.
std::string BaseName(const std::string& path);

}  // namespace tsdb::inspect
