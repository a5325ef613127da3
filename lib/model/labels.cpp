#include "model/labels.h"

#include <algorithm>

#include "model/quoting.h"

namespace tsdb {

Result<Labels> Labels::FromPairs(std::vector<Label> pairs) {
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Label& a, const Label& b) { return a.name < b.name; });
  for (size_t i = 1; i < pairs.size(); ++i) {
    if (pairs[i].name == pairs[i - 1].name) {
      return Status::InvalidArgument("label name \"" + pairs[i].name + "\" given more than once");
    }
  }
  pairs.erase(std::remove_if(pairs.begin(), pairs.end(), [](const Label& l) { return l.value.empty(); }),
              pairs.end());
  Labels out;
  out.labels_ = std::move(pairs);
  return out;
}

Labels Labels::FromStrings(std::initializer_list<std::string_view> name_value) {
  LabelsBuilder b;
  for (auto it = name_value.begin(); it != name_value.end() && it + 1 != name_value.end(); it += 2) {
    b.Set(*it, *(it + 1));
  }
  return b.Build();
}

static std::vector<Label>::const_iterator Find(const std::vector<Label>& v, std::string_view name) {
  auto it = std::lower_bound(v.begin(), v.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  if (it != v.end() && it->name == name) return it;
  return v.end();
}

std::string_view Labels::Get(std::string_view name) const {
  auto it = Find(labels_, name);
  return it == labels_.end() ? std::string_view() : std::string_view(it->value);
}

bool Labels::Has(std::string_view name) const { return Find(labels_, name) != labels_.end(); }

std::string Labels::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels_[i].name;
    out += '=';
    out += GoQuote(labels_[i].value);
  }
  out += '}';
  return out;
}

uint64_t Labels::Hash() const {
  // FNV-1a over name\xffvalue\xff..., the separator keeps ("ab","c") apart from ("a","bc").
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  for (const Label& l : labels_) {
    mix(l.name);
    mix(l.value);
  }
  return h;
}

bool Labels::operator<(const Labels& o) const {
  size_t n = std::min(labels_.size(), o.labels_.size());
  for (size_t i = 0; i < n; ++i) {
    if (labels_[i].name != o.labels_[i].name) return labels_[i].name < o.labels_[i].name;
    if (labels_[i].value != o.labels_[i].value) return labels_[i].value < o.labels_[i].value;
  }
  return labels_.size() < o.labels_.size();
}

LabelsBuilder::LabelsBuilder(const Labels& base) : labels_(base.labels_) {}

void LabelsBuilder::Reset(const Labels& base) { labels_ = base.labels_; }

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.name < n; });
  bool found = it != labels_.end() && it->name == name;
  if (value.empty()) {
    if (found) labels_.erase(it);
  } else if (found) {
    it->value.assign(value);
  } else {
    labels_.insert(it, Label{std::string(name), std::string(value)});
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) { return Set(name, {}); }

std::string_view LabelsBuilder::Get(std::string_view name) const {
  auto it = Find(labels_, name);
  return it == labels_.end() ? std::string_view() : std::string_view(it->value);
}

bool LabelsBuilder::Has(std::string_view name) const { return Find(labels_, name) != labels_.end(); }

Labels LabelsBuilder::Build() const {
  Labels out;
  out.labels_ = labels_;
  return out;
}

}  // namespace tsdb
