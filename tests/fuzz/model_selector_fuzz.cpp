// Fuzzes the series selector parser: any input either fails with a message or
// yields matchers whose canonical spelling parses back to the same matchers.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

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
  // The canonical form puts the metric name first, so compare as sets.
  auto key = [](const tsdb::Matcher& m) { return m.name() + '\xff' + std::string(m.op()) + '\xff' + m.value(); };
  std::vector<std::string> a, b;
  for (const auto& m : *parsed) a.push_back(key(m));
  for (const auto& m : *again) b.push_back(key(m));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) std::abort();
  return 0;
}
