// Fuzzes duration and timestamp parsing: no crash or overflow trap on any
// input, and every duration that parses formats to a string that parses back
// to the same number of milliseconds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/timeutil.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto d = tsdb::ParseDuration(in);
  if (d.ok()) {
    auto back = tsdb::ParseDuration(tsdb::FormatDuration(*d));
    if (!back.ok() || *back != *d) std::abort();
  }
  auto t = tsdb::ParseTimestamp(in, 1795111200000);
  if (t.ok()) (void)tsdb::FormatTimestamp(*t);
  return 0;
}
