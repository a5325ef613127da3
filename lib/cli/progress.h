// Progress: a one-line counter on stderr for long work, only on a terminal.
//
// Silent when stderr is not a terminal or the command runs with --quiet, so
// scripts and cron logs never see it. Redraws at most ten times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tsdb::cli {

class Progress {
 public:
  Progress(bool enabled, std::string label);
  ~Progress() { Done(); }
  void Update(uint64_t done, uint64_t total = 0);  // total 0: unknown
  void Done();                                     // clears the line

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string label_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace tsdb::cli
