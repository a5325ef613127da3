// Fuzzes the target readers (plain list, file_sd JSON, file_sd YAML): any
// input is either rejected with a message or read into groups that survive a
// file_sd JSON write and re-read unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "shard/targets.h"

using tsdb::shard::TargetFormat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the reader so one corpus covers all three.
  TargetFormat format = data[0] % 3 == 0 ? TargetFormat::kList : data[0] % 3 == 1 ? TargetFormat::kJson : TargetFormat::kYaml;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto groups = tsdb::shard::ParseTargets(text, format, "fuzz");
  if (!groups.ok()) {
    if (groups.status().message().empty()) std::abort();
    return 0;
  }
  auto again = tsdb::shard::ParseFileSD(tsdb::shard::FileSDJson(*groups), TargetFormat::kJson, "fuzz");
  if (!again.ok()) std::abort();
  // A plain list is one group; empty groups are kept as written.
  if (again->size() != groups->size()) std::abort();
  for (size_t i = 0; i < groups->size(); ++i) {
    if ((*again)[i].targets != (*groups)[i].targets || (*again)[i].labels != (*groups)[i].labels) std::abort();
  }
  return 0;
}
