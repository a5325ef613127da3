// SeriesTable: interns the label sets of an import, one small id per series.
//
// Each distinct label set (with __name__) is stored once, as one string in
// which every label is "name\0value\0", names sorted in byte order and empty
// values dropped. Byte order of these keys is Prometheus's label order
// (labels.Compare), so sorting keys sorts series. Interning the same series,
// spelled the same, as the previous call costs a comparison of the arguments:
// no sorting, no hashing (timestamped text holds a series' samples one after
// another). Ids are dense: 0, 1, 2, ...
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/labels.h"
#include "model/status.h"
#include "textparse/parser.h"

namespace tsdb::importer {

class SeriesTable {
 public:
  // The id of the series named `metric_name` with `labels` (input order),
  // added when new. InvalidArgument for a label name given twice or a NUL
  // byte in a name or value (the caller adds file and line).
  Result<uint32_t> Intern(std::string_view metric_name, std::span<const textparse::LabelView> labels);
  // The same for a parsed sample line: when its series is spelled exactly as
  // the previous line's, one comparison of the raw bytes.
  Result<uint32_t> Intern(const textparse::Entry& sample);

  size_t size() const { return keys_.size(); }
  // The key of series `id`: "name\0value\0..." in label order.
  std::string_view key(uint32_t id) const { return *keys_[id]; }
  // Calls fn(name, value) for every label of a key, in order.
  template <typename Fn>
  static void ForEachLabel(std::string_view key, Fn fn) {
    while (!key.empty()) {
      size_t a = key.find('\0');
      size_t b = key.find('\0', a + 1);
      fn(key.substr(0, a), key.substr(a + 1, b - a - 1));
      key.remove_prefix(b + 1);
    }
  }
  static Labels ToLabels(std::string_view key);
  // Bytes held by keys and the hash map, roughly.
  uint64_t memory_bytes() const { return memory_bytes_; }

 private:
  Result<uint32_t> InternLabels(std::string_view metric_name, std::span<const textparse::LabelView> labels);
  bool SameAsLast(std::string_view metric_name, std::span<const textparse::LabelView> labels) const;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<const std::string*> keys_;  // into ids_ (nodes do not move)
  std::vector<std::pair<std::string_view, std::string_view>> scratch_labels_;
  std::string scratch_key_;
  std::string last_input_;  // the last call's arguments, each followed by '\0'
  size_t last_label_count_ = 0;
  std::string last_text_;  // the previous sample line's series text (Intern(Entry))
  uint32_t last_id_ = UINT32_MAX;
  uint64_t memory_bytes_ = 0;
};

}  // namespace tsdb::importer
