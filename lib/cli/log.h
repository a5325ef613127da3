// Logger: diagnostics on stderr, logfmt by default or JSON (--log.format).
//
// One line per event: `ts=2026-11-22T18:00:00.123Z level=warn msg="..." k=v`.
// Messages below the configured level are dropped. Process-wide; call from one
// thread at a time.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "model/status.h"

namespace tsdb::cli {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

Result<LogLevel> ParseLogLevel(std::string_view s);    // debug|info|warn|error
Result<LogFormat> ParseLogFormat(std::string_view s);  // logfmt|json

using LogField = std::pair<std::string_view, std::string>;

class Logger {
 public:
  static Logger& Get();
  void Configure(LogLevel level, LogFormat format) {
    level_ = level;
    format_ = format;
  }
  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
  void Debug(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kDebug, msg, f); }
  void Info(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kInfo, msg, f); }
  void Warn(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kWarn, msg, f); }
  void Error(std::string_view msg, std::initializer_list<LogField> f = {}) { Log(LogLevel::kError, msg, f); }

 private:
  LogLevel level_ = LogLevel::kInfo;
  LogFormat format_ = LogFormat::kLogfmt;
};

inline Logger& Log() { return Logger::Get(); }

}  // namespace tsdb::cli
