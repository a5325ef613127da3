#include "cli/app.h"

#include <csignal>
#include <cstdio>
#include <exception>

#include "cli/exit_status.h"
#include "cli/log.h"

#ifndef TSDB_VERSION
#define TSDB_VERSION "0.1.0"
#endif

namespace tsdb::cli {

App::App(std::string name, std::string description) : name_(std::move(name)), cli_(std::move(description), name_) {
  cli_.set_version_flag("--version", name_ + " " TSDB_VERSION);
  cli_.add_option("--log.level", log_level_, "Only log messages at or above this level: debug, info, warn, error")
      ->capture_default_str();
  cli_.add_option("--log.format", log_format_, "Log format on stderr: logfmt or json")->capture_default_str();
  cli_.add_flag("-q,--quiet", quiet_, "No progress display and no summary on stderr");
  cli_.get_formatter()->column_width(36);
}

int App::Run(int argc, char** argv, const std::function<Status()>& work) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    cli_.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(cli_.help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(cli_.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    std::printf("%s\n", cli_.version().c_str());
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\nRun '%s --help' for usage.\n", name_.c_str(), e.what(), name_.c_str());
    return kExitUsage;
  }
  auto level = ParseLogLevel(log_level_);
  auto format = ParseLogFormat(log_format_);
  for (const Status& s : {level.status(), format.status()}) {
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", name_.c_str(), s.message().c_str());
      return kExitUsage;
    }
  }
  Log().Configure(*level, *format);

  Status status;
  try {
    status = work();
  } catch (const std::exception& e) {
    // Exceptions belong to the edges; one escaping is a bug, but it must not
    // become a crash with a lost message.
    status = Status::IOError(std::string("internal error: ") + e.what());
  }
  Status flushed = out_.Flush();
  if (out_.broken_pipe()) return kExitOk;
  if (status.ok() && !flushed.ok()) status = flushed;
  if (!status.ok()) {
    Log().Error(status.message());
    if (status.code() == Status::Code::kUsage) {
      // Usage errors also get the hint, as parse errors do.
      std::fprintf(stderr, "Run '%s --help' for usage.\n", name_.c_str());
    }
    return ExitStatusFor(status);
  }
  return problems_found_ ? kExitProblemsFound : kExitOk;
}

}  // namespace tsdb::cli
