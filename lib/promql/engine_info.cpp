// info(v, [selector]) (experimental): adds to each series of v the data
// labels of the info series that share its identifying labels (instance and
// job), as Prometheus's promql/info.go does.
//
// - The info series are target_info, or those whose __name__ matches the
//   selector's __name__ matchers (only negative ones: among the *_info
//   metrics). A series of v that is itself such an info series passes through
//   unchanged.
// - The selector's other matchers pick the info series and name the data
//   labels to add (none named: every label but __name__). Labels the series
//   already has are kept as they are.
// - An info series is joined on the identifying labels the series has (a
//   series without job joins info series without job), and at every step as
//   the first argument sees the store: its first selector's @ and offset (and
//   those of the subqueries around it) pin and shift the info series' time
//   too. Of two info series of one metric that match, the newer sample wins;
//   two samples with one timestamp fail "found duplicate series for info
//   metric", and two info metrics giving one label different values fail
//   "conflicting label".
// - A series with no info series at a step keeps its labels, unless a data
//   label matcher does not match "" (then it has no sample at that step).
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/value.h"
#include "promql/evaluator.h"

namespace tsdb::promql {

namespace {

constexpr std::string_view kTargetInfo = "target_info";
// The labels that tie a series to its info series; hard coded, as in Prometheus.
constexpr std::string_view kIdentifyingLabels[] = {"instance", "job"};

// The identifying label values of `l` as one key ("" for a label it lacks:
// a label cannot have an empty value). 0xff never occurs in UTF-8.
std::string IdentityKey(const Labels& l) {
  std::string key;
  for (std::string_view name : kIdentifyingLabels) {
    key += l.Get(name);
    key += '\xff';
  }
  return key;
}

// Go's regexp.QuoteMeta: `v` as a regex that matches exactly `v`.
std::string QuoteRegex(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (std::string_view(R"(\.+*?()|[]{}^$)").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Where the first vector selector of info's first argument reads: the
// innermost @ among it and the subqueries around it (none: the step time),
// and the offsets from it out to that @, added up.
struct InfoTime {
  std::optional<int64_t> at_ms;
  int64_t offset_ms = 0;
};

}  // namespace

Matrix Evaluator::EvalInfo(const Call& call) {
  // The @ and offset that govern the info series (see the top of the file).
  InfoTime when;
  {
    auto resolve_at = [&](AtModifier at, int64_t at_ms) -> std::optional<int64_t> {
      switch (at) {
        case AtModifier::kNone: return std::nullopt;
        case AtModifier::kTimestamp: return at_ms;
        case AtModifier::kStart: return cfg_.query_start;
        case AtModifier::kEnd: return cfg_.query_end;
      }
      return std::nullopt;
    };
    // Prometheus's Inspect order (depth first, children in order); `path`
    // holds the nodes around the one visited.
    std::vector<const Expr*> path;
    auto visit = [&](auto& self, const Expr& e) -> bool {
      if (e.kind == ExprKind::kVectorSelector) {
        const VectorSelector& vs = As<VectorSelector>(e);
        when.at_ms = resolve_at(vs.at, vs.at_ms);
        when.offset_ms = Offset(vs);
        for (auto it = path.rbegin(); !when.at_ms && it != path.rend(); ++it) {
          if ((*it)->kind != ExprKind::kSubquery) continue;
          const SubqueryExpr& sq = As<SubqueryExpr>(**it);
          when.offset_ms += Offset(sq);
          when.at_ms = resolve_at(sq.at, sq.at_ms);
        }
        return true;
      }
      std::vector<const Expr*> children;
      switch (e.kind) {
        case ExprKind::kParen: children = {As<ParenExpr>(e).expr.get()}; break;
        case ExprKind::kUnary: children = {As<UnaryExpr>(e).expr.get()}; break;
        case ExprKind::kBinary: children = {As<BinaryExpr>(e).lhs.get(), As<BinaryExpr>(e).rhs.get()}; break;
        case ExprKind::kAggregate: children = {As<AggregateExpr>(e).expr.get(), As<AggregateExpr>(e).param.get()}; break;
        case ExprKind::kCall:
          for (const ExprPtr& a : As<Call>(e).args) children.push_back(a.get());
          break;
        case ExprKind::kMatrixSelector: children = {As<MatrixSelector>(e).vector_selector.get()}; break;
        case ExprKind::kSubquery: children = {As<SubqueryExpr>(e).expr.get()}; break;
        default: break;
      }
      path.push_back(&e);
      for (const Expr* c : children) {
        if (c != nullptr && self(self, *c)) return true;
      }
      path.pop_back();
      return false;
    };
    visit(visit, *call.args[0]);
  }

  Matrix base = EvalSteps(*call.args[0]);

  // The selector's matchers: on __name__, which info metrics; on other
  // labels, which info series and which of their labels to add.
  std::vector<Matcher> name_matchers, data_matchers;
  if (call.args.size() > 1) {
    for (const Matcher& m : As<VectorSelector>(Unparen(*call.args[1])).matchers) {
      (m.name() == kMetricNameLabel ? name_matchers : data_matchers).push_back(m);
    }
  }
  auto make_matcher = [&](Matcher::Type type, std::string name, std::string value) {
    auto m = Matcher::Make(type, std::move(name), std::move(value));
    if (!m.ok()) Fail(m.status());
    return std::move(m).value();
  };
  // The __name__ matchers that select info series: target_info without any;
  // with only negative ones, among the *_info metrics.
  std::vector<Matcher> info_names = name_matchers;
  if (info_names.empty()) {
    info_names.push_back(make_matcher(Matcher::Type::kEqual, std::string(kMetricNameLabel), std::string(kTargetInfo)));
  } else if (std::none_of(info_names.begin(), info_names.end(), [](const Matcher& m) {
               return m.type() == Matcher::Type::kEqual || m.type() == Matcher::Type::kRegexMatch;
             })) {
    info_names.insert(info_names.begin(), make_matcher(Matcher::Type::kRegexMatch, std::string(kMetricNameLabel), ".+_info"));
  }

  // Info series among the input pass through; the others are enriched.
  std::vector<bool> passes(base.size());
  std::vector<std::string> base_keys(base.size());
  std::vector<std::vector<std::string>> wanted(std::size(kIdentifyingLabels));
  bool any_identity = false;
  for (size_t i = 0; i < base.size(); i++) {
    std::string_view name = base[i].metric.Get(kMetricNameLabel);
    passes[i] = std::all_of(info_names.begin(), info_names.end(), [&](const Matcher& m) { return m.Matches(name); });
    if (passes[i]) continue;
    base_keys[i] = IdentityKey(base[i].metric);
    for (size_t k = 0; k < std::size(kIdentifyingLabels); k++) {
      std::string_view v = base[i].metric.Get(kIdentifyingLabels[k]);
      if (v.empty()) continue;
      wanted[k].emplace_back(v);
      any_identity = true;
    }
  }

  // The info series: one point per step, holding the time of the sample it
  // was read from.
  struct InfoPoint {
    int64_t t;       // step time
    int64_t orig_t;  // the sample's own time
  };
  struct InfoSeries {
    Labels metric;
    std::string key;  // IdentityKey
    std::vector<InfoPoint> points;
  };
  std::vector<InfoSeries> infos;
  const int n = NumSteps();
  int64_t held = 0;
  if (any_identity) {
    std::vector<Matcher> matchers;
    for (size_t k = 0; k < std::size(kIdentifyingLabels); k++) {
      std::vector<std::string>& values = wanted[k];
      if (values.empty()) continue;
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      std::string re;
      for (const std::string& v : values) {
        if (!re.empty()) re += '|';
        re += QuoteRegex(v);
      }
      matchers.push_back(make_matcher(Matcher::Type::kRegexMatch, std::string(kIdentifyingLabels[k]), std::move(re)));
    }
    matchers.insert(matchers.end(), data_matchers.begin(), data_matchers.end());
    matchers.insert(matchers.end(), info_names.begin(), info_names.end());

    auto ref_time = [&](int64_t ts) { return when.at_ms.value_or(ts) - when.offset_ms; };
    int64_t mint = ref_time(StepTime(0)) - cfg_.lookback_ms + 1;
    int64_t maxt = ref_time(StepTime(n - 1));
    auto set_or = cfg_.store->Select(matchers, mint, maxt);
    if (!set_or.ok()) Fail(set_or.status());
    block::SeriesSet& set = **set_or;
    while (set.Next()) {
      if ((++deadline_check_ & 255) == 0) CheckDeadline();
      const std::vector<block::Sample>& samples = set.samples();
      total_samples_ += static_cast<int64_t>(samples.size());
      InfoSeries series;
      size_t cur = 0;  // samples[cur - 1] is the latest at or before the reference time
      for (int i = 0; i < n; i++) {
        int64_t ts = StepTime(i);
        int64_t ref = ref_time(ts);
        while (cur < samples.size() && samples[cur].t <= ref) cur++;
        if (cur == 0) continue;
        const block::Sample& s = samples[cur - 1];
        if (s.t <= ref - cfg_.lookback_ms || IsStaleNaN(s.v)) continue;
        series.points.push_back(InfoPoint{ts, s.t});
      }
      if (series.points.empty()) continue;
      Hold(static_cast<int64_t>(series.points.size()));
      held += static_cast<int64_t>(series.points.size());
      series.metric = set.labels();
      series.key = IdentityKey(series.metric);
      infos.push_back(std::move(series));
    }
    if (!set.status().ok()) Fail(set.status());
  }

  // Would a series without any info series keep its sample?
  const bool keep_unmatched =
      std::all_of(data_matchers.begin(), data_matchers.end(), [](const Matcher& m) { return m.Matches(""); });
  auto is_data_label = [&](std::string_view name) {
    return data_matchers.empty() || std::any_of(data_matchers.begin(), data_matchers.end(),
                                                [&](const Matcher& m) { return m.name() == name; });
  };

  // The info series in force at one step, by identity: the newest of each
  // info metric.
  struct Chosen {
    size_t info;
    int64_t orig_t;
  };
  std::unordered_map<std::string, std::vector<Chosen>> chosen;
  std::vector<size_t> base_cur(base.size(), 0), info_cur(infos.size(), 0);
  Matrix result;
  std::unordered_map<uint64_t, std::vector<size_t>> index;  // result series by label hash
  auto emit = [&](Labels metric, bool drop_name, int64_t ts, double f) {
    std::vector<size_t>& same_hash = index[metric.Hash()];
    Series* found = nullptr;
    for (size_t r : same_hash) {
      if (result[r].metric == metric) found = &result[r];
    }
    if (found == nullptr) {
      same_hash.push_back(result.size());
      Series s;
      s.metric = std::move(metric);
      s.drop_name = drop_name;
      result.push_back(std::move(s));
      found = &result.back();
    } else if (!found->floats.empty() && found->floats.back().t == ts) {
      Fail(Status::Execution("vector cannot contain metrics with the same labelset"));
    }
    found->floats.push_back(FPoint{ts, f});
    Hold(1);
  };

  LabelsBuilder added;
  for (int step = 0; step < n; step++) {
    const int64_t ts = StepTime(step);
    if ((++deadline_check_ & 63) == 0) CheckDeadline();
    chosen.clear();
    for (size_t j = 0; j < infos.size(); j++) {
      const InfoSeries& is = infos[j];
      size_t& c = info_cur[j];
      if (c >= is.points.size() || is.points[c].t != ts) continue;
      const int64_t orig_t = is.points[c++].orig_t;
      std::vector<Chosen>& same_identity = chosen[is.key];
      auto it = std::find_if(same_identity.begin(), same_identity.end(), [&](const Chosen& ch) {
        return infos[ch.info].metric.MetricName() == is.metric.MetricName();
      });
      if (it == same_identity.end()) {
        same_identity.push_back(Chosen{j, orig_t});
      } else if (it->orig_t < orig_t) {
        *it = Chosen{j, orig_t};
      } else if (it->orig_t == orig_t) {
        Fail(Status::Execution("found duplicate series for info metric: existing " + infos[it->info].metric.ToString() +
                               " @ " + std::to_string(it->orig_t) + ", new " + is.metric.ToString() + " @ " +
                               std::to_string(orig_t)));
      }
    }

    for (size_t i = 0; i < base.size(); i++) {
      const Series& bs = base[i];
      size_t& c = base_cur[i];
      if (c >= bs.floats.size() || bs.floats[c].t != ts) continue;
      const double f = bs.floats[c++].f;
      if (passes[i]) {
        emit(bs.metric, bs.drop_name, ts, f);
        continue;
      }
      added.Reset(Labels());
      bool matched = false;
      if (auto it = chosen.find(base_keys[i]); it != chosen.end()) {
        for (const Chosen& ch : it->second) {
          matched = true;
          for (const Label& l : infos[ch.info].metric) {
            if (l.name == kMetricNameLabel || !is_data_label(l.name)) continue;
            std::string_view have = added.Get(l.name);
            if (!have.empty() && have != l.value) Fail(Status::Execution("conflicting label: " + l.name));
            if (bs.metric.Has(l.name)) continue;
            added.Set(l.name, l.value);
          }
        }
      }
      if (!matched && !keep_unmatched) continue;
      LabelsBuilder out(bs.metric);
      added.Range([&](std::string_view name, std::string_view value) { out.Set(name, value); });
      emit(out.Build(), bs.drop_name, ts, f);
    }
  }
  Release(held);
  return result;
}

}  // namespace tsdb::promql
