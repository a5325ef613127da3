// Fuzzes the meta.json and tombstones readers: any bytes are either rejected
// with a message or read into values that write back and read again equal.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "block/meta.h"
#include "block/tombstones.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto meta = tsdb::block::ParseMeta(in, "fuzz/meta.json");
  if (meta.ok()) {
    std::string again = tsdb::block::MetaToJson(*meta);
    auto back = tsdb::block::ParseMeta(again, "again");
    if (!back.ok() || tsdb::block::MetaToJson(*back) != again) std::abort();
  } else if (meta.status().message().empty()) {
    std::abort();
  }
  auto stones = tsdb::block::DecodeTombstones(in, "fuzz/tombstones");
  if (stones.ok()) {
    auto back = tsdb::block::DecodeTombstones(tsdb::block::EncodeTombstones(*stones), "again");
    if (!back.ok() || back->Total() != stones->Total()) std::abort();
  }
  return 0;
}
