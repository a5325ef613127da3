// Annotations: each message once, in the order first added.
//
// Prometheus keys its annotations by the message without the "(line:col)"
// it appends at the end (the position is filled in only when the result is
// rendered), so the same warning raised at two places of a query is shown
// once, with the first place. The same key is used here. One info is merged
// rather than deduplicated, as Prometheus merges it: histogram_quantile's
// "needed to be fixed for monotonicity".
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>
#include <string_view>

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

// histogram_quantile's monotonicity info is one per query in Prometheus,
// summing up every fixed histogram: "<head>, from buckets A to B, with a max
// diff of D, over N samples from T1 to T2 (pos)". Two of them with the same
// head merge: the wider bucket and time ranges, the larger diff, N added.
constexpr std::string_view kMonotonicityInfo = "PromQL info: input to histogram_quantile needed to be fixed";

struct MonotonicityInfo {
  std::string_view head, a, b, d, t1, t2, pos;
  long n = 0;
};

// Splits `msg` at the last `sep` before `*rest`'s end: returns the part after.
bool CutLast(std::string_view* rest, std::string_view sep, std::string_view* after) {
  size_t i = rest->rfind(sep);
  if (i == std::string_view::npos) return false;
  *after = rest->substr(i + sep.size());
  *rest = rest->substr(0, i);
  return true;
}

bool ParseMonotonicityInfo(std::string_view msg, MonotonicityInfo* m) {
  std::string_view key = Key(msg);
  m->pos = msg.substr(key.size());
  std::string_view n;
  bool ok = CutLast(&key, " to ", &m->t2) && CutLast(&key, " samples from ", &m->t1) && CutLast(&key, ", over ", &n) &&
            CutLast(&key, ", with a max diff of ", &m->d) && CutLast(&key, " to ", &m->b) &&
            CutLast(&key, ", from buckets ", &m->a);
  if (!ok) return false;
  m->head = key;
  m->n = std::strtol(std::string(n).c_str(), nullptr, 10);
  return true;
}

double ParseFloat(std::string_view s) { return std::strtod(std::string(s).c_str(), nullptr); }

std::string MergeMonotonicityInfo(const MonotonicityInfo& x, const MonotonicityInfo& y) {
  std::string_view a = ParseFloat(y.a) < ParseFloat(x.a) ? y.a : x.a;
  std::string_view b = ParseFloat(y.b) > ParseFloat(x.b) ? y.b : x.b;
  std::string_view d = ParseFloat(y.d) > ParseFloat(x.d) ? y.d : x.d;
  std::string_view t1 = std::min(x.t1, y.t1), t2 = std::max(x.t2, y.t2);  // RFC 3339 sorts as text
  std::string out(x.head);
  out.append(", from buckets ").append(a).append(" to ").append(b).append(", with a max diff of ").append(d);
  out.append(", over ").append(std::to_string(x.n + y.n)).append(" samples from ").append(t1).append(" to ");
  out.append(t2).append(x.pos);
  return out;
}

void AddOnce(std::vector<std::string>& list, std::string msg) {
  MonotonicityInfo fresh;
  if (msg.starts_with(kMonotonicityInfo) && ParseMonotonicityInfo(msg, &fresh)) {
    for (std::string& m : list) {
      MonotonicityInfo old;
      if (m.starts_with(kMonotonicityInfo) && ParseMonotonicityInfo(m, &old) && old.head == fresh.head) {
        m = MergeMonotonicityInfo(old, fresh);
        return;
      }
    }
    list.push_back(std::move(msg));
    return;
  }
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
