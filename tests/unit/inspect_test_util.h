// Helpers for tests/unit/inspect_*_test.cpp: the shared file and block
// helpers (block_test_util.h), and running a subcommand into a string.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "block_test_util.h"
#include "cli/output.h"
#include "model/labels.h"

namespace tsdb::inspect::testing {

using tsdb::testing::FlipByte;
using tsdb::testing::MakeBlock;
using tsdb::testing::Ramp;
using tsdb::testing::ReadFile;
using tsdb::testing::SeriesSamples;
using tsdb::testing::TempDir;
using tsdb::testing::WriteFile;
namespace stdfs = std::filesystem;

// Runs fn(&out) with an Output into a temporary file and returns what it wrote.
template <typename Fn>
std::string Capture(Fn fn) {
  char tmpl[] = "/tmp/tsdb-inspect-out-XXXXXX";
  int fd = mkstemp(tmpl);
  EXPECT_GE(fd, 0);
  {
    cli::Output out(fd, tmpl);
    fn(&out);
    out.Flush();
  }
  ::close(fd);
  std::string s = ReadFile(tmpl);
  ::unlink(tmpl);
  return s;
}

}  // namespace tsdb::inspect::testing
