// App: what every command shares around its own flags.
//
// Adds the common flags (--log.level, --log.format, --quiet, --version),
// parses the command line with CLI11, runs the command's work, and maps the
// outcome to the documented exit status (exit_status.h): parse errors exit 2
// with a hint to --help; a non-OK Status is logged on stderr and exits 1 or
// 2; a closed pipe on stdout exits 0 quietly. Data goes to out() (stdout).
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "model/status.h"

namespace tsdb::cli {

class App {
 public:
  App(std::string name, std::string description);

  CLI::App* operator->() { return &cli_; }
  CLI::App& cli() { return cli_; }
  Output& out() { return out_; }
  bool quiet() const { return quiet_; }
  const std::string& name() const { return name_; }
  // Makes a successful run exit 3 ("checked, and found problems").
  void SetProblemsFound() { problems_found_ = true; }

  int Run(int argc, char** argv, const std::function<Status()>& work);

 private:
  std::string name_;
  CLI::App cli_;
  Output out_;
  std::string log_level_ = "info";
  std::string log_format_ = "logfmt";
  bool quiet_ = false;
  bool problems_found_ = false;
};

}  // namespace tsdb::cli
