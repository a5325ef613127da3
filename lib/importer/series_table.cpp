#include "importer/series_table.h"

#include <algorithm>
#include <cstring>

namespace tsdb::importer {

namespace {

// Compares `piece` with the next "piece\0" of `raw` at *at, advancing it.
inline bool NextPieceIs(const std::string& raw, size_t* at, std::string_view piece) {
  size_t end = *at + piece.size();
  if (end >= raw.size() || raw[end] != '\0' || std::memcmp(raw.data() + *at, piece.data(), piece.size()) != 0) {
    return false;
  }
  *at = end + 1;
  return true;
}

// The bytes of a sample line that name its series, or "" when they cannot be
// told apart cheaply. With labels: from the line's start to the '}' closing
// them, found from the end of the last label value, which must be a view into
// the line (not unescaped elsewhere). Without: the metric name and the blank
// after it. Equal texts are equal series: the parser reads the same bytes the
// same way, and a text of one kind cannot equal a text of the other (one ends
// in '}', the other in a blank).
std::string_view SeriesText(const textparse::Entry& e) {
  const char* begin = e.raw_line.data();
  const char* end = begin + e.raw_line.size();
  auto inside = [&](std::string_view v) {
    return v.data() != nullptr && v.data() >= begin && v.data() + v.size() <= end;
  };
  if (e.labels.empty()) {
    if (!inside(e.metric_name)) return {};
    const char* p = e.metric_name.data() + e.metric_name.size();
    if (p == end || (*p != ' ' && *p != '\t')) return {};
    return std::string_view(begin, static_cast<size_t>(p + 1 - begin));
  }
  std::string_view last = e.labels.back().value;
  if (!inside(last)) return {};
  const char* p = last.data() + last.size();
  if (p == end || *p != '"') return {};
  for (++p; p != end && (*p == ',' || *p == ' ' || *p == '\t');) ++p;
  if (p == end || *p != '}') return {};
  return std::string_view(begin, static_cast<size_t>(p + 1 - begin));
}

}  // namespace

Result<uint32_t> SeriesTable::Intern(const textparse::Entry& sample) {
  std::string_view text = SeriesText(sample);
  if (!text.empty() && last_id_ != UINT32_MAX && text == last_text_) return last_id_;
  auto id = InternLabels(sample.metric_name, sample.labels);
  if (id.ok()) last_text_.assign(text);
  return id;
}

Result<uint32_t> SeriesTable::Intern(std::string_view metric_name, std::span<const textparse::LabelView> labels) {
  last_text_.clear();
  return InternLabels(metric_name, labels);
}

bool SeriesTable::SameAsLast(std::string_view metric_name, std::span<const textparse::LabelView> labels) const {
  // With the count equal, a piece holding a NUL cannot match: it would need
  // more separators than the last input has.
  if (last_id_ == UINT32_MAX || labels.size() != last_label_count_) return false;
  size_t at = 0;
  if (!NextPieceIs(last_input_, &at, metric_name)) return false;
  for (const auto& l : labels) {
    if (!NextPieceIs(last_input_, &at, l.name) || !NextPieceIs(last_input_, &at, l.value)) return false;
  }
  return at == last_input_.size();
}

Result<uint32_t> SeriesTable::InternLabels(std::string_view metric_name,
                                           std::span<const textparse::LabelView> labels) {
  // Timestamped text holds a series' samples one after another: the same
  // labels, spelled the same, as the previous sample cost one comparison.
  if (SameAsLast(metric_name, labels)) return last_id_;
  auto& ls = scratch_labels_;
  ls.clear();
  ls.emplace_back(kMetricNameLabel, metric_name);
  for (const auto& l : labels) {
    if (!l.value.empty()) ls.emplace_back(l.name, l.value);  // an empty value is no label
  }
  auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (!std::is_sorted(ls.begin(), ls.end(), by_name)) std::sort(ls.begin(), ls.end(), by_name);
  std::string& key = scratch_key_;
  key.clear();
  for (size_t i = 0; i < ls.size(); ++i) {
    if (i > 0 && ls[i].first == ls[i - 1].first) {
      return Status::InvalidArgument("label name \"" + std::string(ls[i].first) + "\" is given twice");
    }
    if (ls[i].first.find('\0') != std::string_view::npos || ls[i].second.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("label \"" + std::string(ls[i].first) + "\" holds a NUL byte");
    }
    key.append(ls[i].first);
    key.push_back('\0');
    key.append(ls[i].second);
    key.push_back('\0');
  }
  last_id_ = UINT32_MAX;
  auto it = ids_.find(std::string_view(key));
  if (it == ids_.end()) {
    if (keys_.size() == UINT32_MAX - 1) return Status::InvalidArgument("more than 4294967294 series in one import");
    it = ids_.emplace(key, static_cast<uint32_t>(keys_.size())).first;
    keys_.push_back(&it->first);
    memory_bytes_ += key.capacity() + 64;
  }
  last_label_count_ = labels.size();
  last_input_.clear();
  last_input_.append(metric_name);
  last_input_.push_back('\0');
  for (const auto& l : labels) {
    last_input_.append(l.name);
    last_input_.push_back('\0');
    last_input_.append(l.value);
    last_input_.push_back('\0');
  }
  last_id_ = it->second;
  return last_id_;
}

Labels SeriesTable::ToLabels(std::string_view key) {
  LabelsBuilder b;
  ForEachLabel(key, [&](std::string_view name, std::string_view value) { b.Set(name, value); });
  return b.Build();
}

}  // namespace tsdb::importer
