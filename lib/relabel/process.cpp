// Applying rules to a label set, step for step as Prometheus's relabel().
#include <algorithm>
#include <memory>
#include <string>

#include "model/names.h"
#include "relabel/internal.h"

namespace tsdb::relabel {
namespace {

// Go's labels.Builder: a base set plus added and deleted names. Its Range
// visits a snapshot, base labels first (name order) and then added ones in
// the order they were added; that order decides which copy wins when a
// labelmap maps two names to one, so it is kept here.
class GoBuilder {
 public:
  explicit GoBuilder(const Labels& base) : base_(base) {}

  std::string_view Get(std::string_view name) const {
    for (const Label& l : add_) {
      if (l.name == name) return l.value;
    }
    if (std::find(del_.begin(), del_.end(), name) != del_.end()) return {};
    return base_.Get(name);
  }

  void Del(std::string_view name) {
    std::erase_if(add_, [&](const Label& l) { return l.name == name; });
    del_.emplace_back(name);
  }

  void Set(std::string_view name, std::string_view value) {
    if (value.empty()) {
      Del(name);
      return;
    }
    for (Label& l : add_) {
      if (l.name == name) {
        l.value.assign(value);
        return;
      }
    }
    add_.push_back(Label{std::string(name), std::string(value)});
  }

  template <typename Fn>
  void Range(Fn fn) {
    const std::vector<Label> add = add_;
    const std::vector<std::string> del = del_;
    for (const Label& l : base_) {
      bool deleted = std::find(del.begin(), del.end(), l.name) != del.end();
      bool replaced = std::any_of(add.begin(), add.end(), [&](const Label& a) { return a.name == l.name; });
      if (!deleted && !replaced) fn(l);
    }
    for (const Label& l : add) fn(l);
  }

  Labels Build() const {
    LabelsBuilder b(base_);
    for (const std::string& name : del_) b.Del(name);
    for (const Label& l : add_) b.Set(l.name, l.value);
    return b.Build();
  }

 private:
  const Labels& base_;
  std::vector<Label> add_;
  std::vector<std::string> del_;
};

// The rule's compiled regex; compiles one for a Config not made by
// MakeConfig/LoadConfigs (kept alive in *holder).
const re2::RE2* RegexOf(const Config& cfg, std::shared_ptr<const re2::RE2>* holder) {
  if (cfg.compiled) return cfg.compiled.get();
  auto compiled = internal::CompileRegex(cfg.regex);
  if (!compiled.ok()) return nullptr;
  *holder = std::move(compiled).value();
  return holder->get();
}

// One rule; false when it drops the set.
bool Apply(const Config& cfg, GoBuilder& lb) {
  std::string val;
  for (size_t i = 0; i < cfg.source_labels.size(); ++i) {
    if (i > 0) val += cfg.separator;
    val += lb.Get(cfg.source_labels[i]);
  }
  std::shared_ptr<const re2::RE2> holder;
  const re2::RE2* re = RegexOf(cfg, &holder);
  if (re == nullptr) return true;  // an invalid regex never reaches here via MakeConfig

  switch (cfg.action) {
    case Action::kDrop:
      if (RE2::FullMatch(val, *re)) return false;
      break;
    case Action::kKeep:
      if (!RE2::FullMatch(val, *re)) return false;
      break;
    case Action::kDropEqual:
      if (lb.Get(cfg.target_label) == val) return false;
      break;
    case Action::kKeepEqual:
      if (lb.Get(cfg.target_label) != val) return false;
      break;
    case Action::kReplace: {
      auto groups = internal::FullMatchGroups(*re, val);
      if (groups.empty()) break;  // no match, no replacement
      std::string target = internal::Expand(cfg.target_label, *re, groups);
      if (!IsValidLabelName(target)) break;
      std::string res = internal::Expand(cfg.replacement, *re, groups);
      lb.Set(target, res);  // an empty value deletes
      break;
    }
    case Action::kLowercase:
      lb.Set(cfg.target_label, internal::GoToLower(val));
      break;
    case Action::kUppercase:
      lb.Set(cfg.target_label, internal::GoToUpper(val));
      break;
    case Action::kHashMod:
      if (cfg.modulus == 0) break;  // MakeConfig rejects this
      lb.Set(cfg.target_label, std::to_string(HashMod(val, cfg.modulus)));
      break;
    case Action::kLabelMap:
      lb.Range([&](const Label& l) {
        auto groups = internal::FullMatchGroups(*re, l.name);
        if (groups.empty()) return;
        std::string name = internal::Expand(cfg.replacement, *re, groups);
        // Prometheus would add a label with an empty name here; a name
        // must not be empty, so the copy is skipped.
        if (!name.empty()) lb.Set(name, l.value);
      });
      break;
    case Action::kLabelDrop:
      lb.Range([&](const Label& l) {
        if (RE2::FullMatch(l.name, *re)) lb.Del(l.name);
      });
      break;
    case Action::kLabelKeep:
      lb.Range([&](const Label& l) {
        if (!RE2::FullMatch(l.name, *re)) lb.Del(l.name);
      });
      break;
  }
  return true;
}

}  // namespace

bool Process(const Labels& in, const std::vector<Config>& rules, Labels* out) {
  GoBuilder lb(in);
  for (const Config& cfg : rules) {
    if (!Apply(cfg, lb)) return false;
  }
  *out = lb.Build();
  return !out->empty();
}

}  // namespace tsdb::relabel
