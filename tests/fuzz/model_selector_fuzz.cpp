// Fuzzes the series selector parser: any input either fails with a message or
// yields matchers whose canonical spelling parses back to the same matchers.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/selector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto parsed = tsdb::ParseSelector(in);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return 0;
  }
  std::string canonical = tsdb::SelectorToString(*parsed);
  auto again = tsdb::ParseSelector(canonical);
  if (!again.ok() || again->size() != parsed->size()) std::abort();
  for (size_t i = 0; i < parsed->size(); ++i) {
    const auto& a = (*parsed)[i];
    const auto& b = (*again)[i];
    if (a.name() != b.name() || a.value() != b.value() || a.type() != b.type()) std::abort();
  }
  return 0;
}
