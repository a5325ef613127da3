#include "block/tombstones.h"

#include <algorithm>
#include <limits>

#include "encoding/crc32c.h"
#include "encoding/encoding.h"
#include "fs/files.h"

namespace tsdb::block {
namespace {

constexpr uint32_t kMagic = 0x0130BA30;
constexpr uint8_t kVersion = 1;

}  // namespace

void Intervals::Add(Interval n) {
  // Closed intervals over integers: [1,3] and [4,6] are one interval.
  auto touches = [](const Interval& a, const Interval& b) {
    bool a_before = a.max_time < b.min_time && (b.min_time - a.max_time) > 1;
    bool b_before = b.max_time < a.min_time && (a.min_time - b.max_time) > 1;
    return !a_before && !b_before;
  };
  std::vector<Interval> out;
  out.reserve(list_.size() + 1);
  bool placed = false;
  for (const Interval& iv : list_) {
    if (touches(iv, n)) {
      n.min_time = std::min(n.min_time, iv.min_time);
      n.max_time = std::max(n.max_time, iv.max_time);
    } else if (iv.max_time < n.min_time) {
      out.push_back(iv);
    } else {
      if (!placed) out.push_back(n), placed = true;
      out.push_back(iv);
    }
  }
  if (!placed) out.push_back(n);
  list_ = std::move(out);
}

bool Intervals::Contains(int64_t t) const {
  auto it = std::lower_bound(list_.begin(), list_.end(), t,
                             [](const Interval& iv, int64_t x) { return iv.max_time < x; });
  return it != list_.end() && it->Contains(t);
}

const Intervals* Tombstones::Get(uint64_t series_ref) const {
  auto it = by_series_.find(series_ref);
  return it == by_series_.end() ? nullptr : &it->second;
}

uint64_t Tombstones::Total() const {
  uint64_t n = 0;
  for (const auto& [ref, ivs] : by_series_) n += ivs.list().size();
  return n;
}

std::string EncodeTombstones(const Tombstones& t) {
  std::string out;
  encoding::PutBE32(&out, kMagic);
  out.push_back(static_cast<char>(kVersion));
  size_t entries_at = out.size();
  for (const auto& [ref, ivs] : t.all()) {
    for (const Interval& iv : ivs.list()) {
      encoding::PutUvarint(&out, ref);
      encoding::PutVarint(&out, iv.min_time);
      encoding::PutVarint(&out, iv.max_time);
    }
  }
  encoding::PutBE32(&out, encoding::Crc32c(out.data() + entries_at, out.size() - entries_at));
  return out;
}

Result<Tombstones> DecodeTombstones(std::string_view b, const std::string& name) {
  if (b.size() < 9) {
    return Status::Corruption(name + ": " + std::to_string(b.size()) + " bytes, too short for a tombstones file (9 at least)");
  }
  auto* p = reinterpret_cast<const uint8_t*>(b.data());
  if (uint32_t magic = encoding::BE32(p); magic != kMagic) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "offset 0: bad magic 0x%08x (want 0x%08x)", magic, kMagic);
    return Status::Corruption(name + ": " + buf);
  }
  if (p[4] != kVersion) {
    return Status::Corruption(name + ": offset 4: unknown tombstones format version " + std::to_string(p[4]));
  }
  size_t end = b.size() - 4;
  uint32_t want = encoding::BE32(p + end);
  uint32_t got = encoding::Crc32c(p + 5, end - 5);
  if (want != got) {
    return Status::Corruption(name + ": offset " + std::to_string(end) + ": checksum mismatch");
  }
  Tombstones t;
  encoding::Decbuf d(p + 5, end - 5);
  while (d.remaining() > 0) {
    size_t at = 5 + d.consumed();
    uint64_t ref = d.Uvarint();
    int64_t mint = d.Varint();
    int64_t maxt = d.Varint();
    if (!d.ok()) return Status::Corruption(name + ": offset " + std::to_string(at) + ": " + d.err());
    if (mint > maxt) {
      return Status::Corruption(name + ": offset " + std::to_string(at) + ": interval with mint " + std::to_string(mint) +
                                " after maxt " + std::to_string(maxt));
    }
    t.Add(ref, Interval{mint, maxt});
  }
  return t;
}

Result<Tombstones> ReadTombstones(const std::string& block_dir) {
  std::string path = block_dir + "/tombstones";
  auto text = fs::ReadWholeFile(path, size_t{1} << 30);
  if (!text.ok()) {
    if (text.status().code() == Status::Code::kNotFound) return Tombstones();
    return text.status();
  }
  return DecodeTombstones(*text, path);
}

Status WriteTombstones(const std::string& block_dir, const Tombstones& t) {
  return fs::WriteFilesAtomically({{block_dir + "/tombstones", EncodeTombstones(t)}});
}

}  // namespace tsdb::block
