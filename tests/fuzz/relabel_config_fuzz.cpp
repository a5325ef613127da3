// Fuzzes relabel_configs loading from YAML and applying the rules: loading
// either fails with a message or gives rules that print (ToYAML) and load
// back, and applying them to a fixed label set never crashes.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "relabel/relabel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto rules = tsdb::relabel::ParseConfigs(text, "fuzz");
  if (!rules.ok()) {
    if (rules.status().message().empty()) std::abort();
    return 0;
  }
  auto again = tsdb::relabel::ParseConfigs(tsdb::relabel::ToYAML(*rules), "fuzz");
  if (!again.ok() || again->size() != rules->size()) std::abort();
  tsdb::Labels in = tsdb::Labels::FromStrings(
      {"__address__", "10.0.0.1:9100", "__name__", "up", "job", "node", "instance", "a", "Mixed.Case", "Ünï"});
  tsdb::Labels out;
  tsdb::relabel::Process(in, *rules, &out);
  return 0;
}
