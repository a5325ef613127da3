// Annotations: each message once, in the order first added.
//
// Prometheus keys its annotations by the message without the "(line:col)"
// it appends at the end (the position is filled in only when the result is
// rendered), so the same warning raised at two places of a query is shown
// once, with the first place. The same key is used here.
#include <algorithm>
#include <cctype>

#include "promql/value.h"

namespace tsdb::promql {
namespace {

// The message without a trailing " (L:C)", " (unknown position)" or
// " (invalid position)".
std::string_view Key(std::string_view msg) {
  if (msg.empty() || msg.back() != ')') return msg;
  size_t open = msg.rfind(" (");
  if (open == std::string_view::npos) return msg;
  std::string_view inside = msg.substr(open + 2, msg.size() - open - 3);
  if (inside == "unknown position" || inside == "invalid position") return msg.substr(0, open);
  size_t colon = inside.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == inside.size()) return msg;
  bool digits = std::all_of(inside.begin(), inside.end(),
                            [](char c) { return c == ':' || std::isdigit(static_cast<unsigned char>(c)); });
  return digits && inside.find(':', colon + 1) == std::string_view::npos ? msg.substr(0, open) : msg;
}

void AddOnce(std::vector<std::string>& list, std::string msg) {
  std::string_view key = Key(msg);
  for (const std::string& m : list) {
    if (Key(m) == key) return;
  }
  list.push_back(std::move(msg));
}

}  // namespace

void Annotations::AddWarning(std::string msg) { AddOnce(warnings_, std::move(msg)); }

void Annotations::AddInfo(std::string msg) { AddOnce(infos_, std::move(msg)); }

void Annotations::Merge(const Annotations& o) {
  for (const std::string& w : o.warnings_) AddOnce(warnings_, w);
  for (const std::string& i : o.infos_) AddOnce(infos_, i);
}

}  // namespace tsdb::promql
