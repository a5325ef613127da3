// tsdb-query's work: flag values checked, sources opened, the query parsed
// and evaluated, the result written (query.h).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/log.h"
#include "model/selector.h"
#include "model/timeutil.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "query/explain.h"
#include "query/output.h"
#include "query/query.h"
#include "query/sources.h"
#include "store/merged_store.h"
#include "store/db_store.h"
#include "store/memory_store.h"

namespace tsdb::query {
namespace {

constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();
// Prometheus's API refuses range queries with more points per series.
constexpr int64_t kMaxPoints = 11000;

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

Result<int64_t> ParseTime(const std::string& flag, const std::string& value, int64_t now) {
  auto t = ParseTimestamp(value, now);
  if (!t.ok()) return Status::Usage(flag + ": " + t.status().message());
  return *t;
}

Result<int64_t> ParseFlagDuration(const std::string& flag, const std::string& value) {
  auto d = ParseDuration(value);
  if (!d.ok()) return Status::Usage(flag + ": " + d.status().message());
  return *d;
}

// A step as the API takes it: a duration ("1m") or seconds ("60", "0.5").
Result<int64_t> ParseStep(const std::string& value) {
  if (auto d = ParseDuration(value); d.ok()) return *d;
  char* end = nullptr;
  double secs = std::strtod(value.c_str(), &end);
  if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(secs) ||
      std::fabs(secs) * 1000 >= 9.2e18) {
    return Status::Usage("--step: cannot parse \"" + value + "\" to a valid duration");
  }
  return static_cast<int64_t>(std::llround(secs * 1000));
}

Status ApplyFeatures(const std::vector<std::string>& features, promql::EngineOptions* eo) {
  for (const std::string& list : features) {
    size_t begin = 0;
    while (begin <= list.size()) {
      size_t comma = list.find(',', begin);
      if (comma == std::string::npos) comma = list.size();
      std::string f = Trim(std::string_view(list).substr(begin, comma - begin));
      begin = comma + 1;
      if (f.empty()) continue;
      if (f == "promql-experimental-functions") {
        eo->parse.experimental_functions = true;
      } else if (f == "promql-duration-expr") {
        eo->parse.duration_expr = true;
      } else if (f == "promql-binop-fill-modifiers") {
        eo->parse.binop_fill_modifiers = true;
      } else if (f == "promql-delayed-name-removal") {
        eo->delayed_name_removal = true;
      } else {
        return Status::Usage("--enable-feature: unknown feature \"" + f +
                             "\" (known: promql-experimental-functions, promql-duration-expr, "
                             "promql-binop-fill-modifiers, promql-delayed-name-removal)");
      }
    }
  }
  return Status::OK();
}

Result<std::vector<std::vector<Matcher>>> ParseMatches(const std::vector<std::string>& match) {
  std::vector<std::vector<Matcher>> out;
  for (const std::string& m : match) {
    auto sel = ParseSelector(m);
    if (!sel.ok()) return Status::Usage("--match " + m + ": " + sel.status().message());
    out.push_back(std::move(sel).value());
  }
  return out;
}

// The store, and what the query's default times depend on.
struct Sources {
  std::unique_ptr<store::Store> store;
  bool input_only = false;  // no --db: exposition text only
  LoadStats loaded;
};

Result<Sources> OpenSources(const Options& opt, int64_t sample_time) {
  Sources s;
  std::vector<std::string> inputs = opt.input;
  if (inputs.empty() && opt.db.empty()) {
    if (opt.stdin_is_terminal) {
      return Status::Usage("nothing to query: give --db DIR or --input FILE, or pipe exposition text in");
    }
    inputs.push_back("-");
  }
  std::vector<std::unique_ptr<store::Store>> stores;
  if (!opt.db.empty()) {
    store::DbStoreOptions o;
    auto a = store::ParseDownsampledAggregate(opt.aggregate);
    if (!a.ok()) return Status::Usage("--aggregate: " + a.status().message());
    o.aggregate = *a;
    o.include_head = !opt.no_head;
    o.quiet = opt.quiet;
    TSDB_ASSIGN_OR_RETURN(auto db, store::DbStore::Open(opt.db, o));
    stores.push_back(std::move(db));
  }
  if (!inputs.empty()) {
    auto mem = std::make_unique<store::MemoryStore>();
    TSDB_RETURN_IF_ERROR(LoadExposition(inputs, sample_time, mem.get(), &s.loaded));
    stores.push_back(std::move(mem));
    s.input_only = opt.db.empty();
  }
  if (stores.size() == 1) {
    s.store = std::move(stores.front());
  } else {
    s.store = std::make_unique<store::MergedStore>(std::move(stores));
  }
  return s;
}

void ReportParseError(std::string_view query, const Status& st, const promql::PosRange& pos) {
  cli::Log().Error(st.message());
  std::string caret = CaretDisplay(query, pos.start);
  std::fputs(caret.c_str(), stderr);
  std::fflush(stderr);
}

void LogAnnotations(const promql::Annotations& a, bool quiet) {
  for (const std::string& w : a.warnings()) cli::Log().Warn(w);
  if (quiet) return;
  for (const std::string& i : a.infos()) cli::Log().Info(i);
}

}  // namespace

std::string CaretDisplay(std::string_view query, int pos) {
  size_t p = std::min(static_cast<size_t>(std::max(pos, 0)), query.size());
  size_t begin = 0;
  for (size_t i = 0; i < p; ++i) {
    if (query[i] == '\n') begin = i + 1;
  }
  size_t end = query.find('\n', p);
  if (end == std::string_view::npos) end = query.size();
  std::string_view line = query.substr(begin, end - begin);
  std::string out = "  ";
  out.append(line);
  out += "\n  ";
  for (size_t i = begin; i < p; ++i) {
    unsigned char c = static_cast<unsigned char>(query[i]);
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte: same character
    out.push_back(c == '\t' ? '\t' : ' ');
  }
  out += "^\n";
  return out;
}

Status Run(const Options& opt, cli::Output* out, int* exit_status) {
  const int64_t now = opt.now_ms != 0 ? opt.now_ms : NowMillis();

  // Flag values first: a mistake is reported before any data is read.
  promql::EngineOptions eo;
  TSDB_ASSIGN_OR_RETURN(eo.lookback_delta_ms, ParseFlagDuration("--query.lookback-delta", opt.lookback_delta));
  if (eo.lookback_delta_ms <= 0) return Status::Usage("--query.lookback-delta: must be positive");
  TSDB_ASSIGN_OR_RETURN(int64_t timeout_ms, ParseFlagDuration("--query.timeout", opt.timeout));
  if (timeout_ms <= 0) return Status::Usage("--query.timeout: must be positive");
  eo.timeout = std::chrono::milliseconds(timeout_ms);
  if (opt.max_samples <= 0) return Status::Usage("--query.max-samples: must be positive");
  eo.max_samples = opt.max_samples;
  TSDB_RETURN_IF_ERROR(ApplyFeatures(opt.features, &eo));
  Format format = out->is_terminal() ? Format::kTable : Format::kProm;
  if (!opt.format.empty()) {
    TSDB_ASSIGN_OR_RETURN(format, ParseFormat(opt.format));
  }

  const bool is_query = opt.mode == Mode::kInstant || opt.mode == Mode::kRange;
  promql::ExprPtr expr;
  if (is_query) {
    if (Trim(opt.expr).empty()) return Status::Usage("no query given: tsdb-query [instant|range] EXPR");
    promql::PosRange pos;
    auto parsed = promql::ParseExpr(opt.expr, eo.parse, &pos);
    if (!parsed.ok()) {
      ReportParseError(opt.expr, parsed.status(), pos);
      *exit_status = 2;
      return Status::OK();
    }
    expr = std::move(parsed).value();
    if (opt.format_query) {
      out->Write(promql::Format(*expr) + "\n");
      return Status::OK();
    }
    if (opt.explain) {
      out->Write(Explain(*expr));
      return Status::OK();
    }
  } else if (opt.format_query || opt.explain) {
    return Status::Usage("--format-query and --explain take a query: tsdb-query [instant|range] EXPR");
  }

  // Times given on the command line; the rest default once the data is known.
  std::optional<int64_t> time, start, end;
  if (!opt.time.empty()) {
    TSDB_ASSIGN_OR_RETURN(time, ParseTime("--time", opt.time, now));
  }
  if (!opt.start.empty()) {
    TSDB_ASSIGN_OR_RETURN(start, ParseTime("--start", opt.start, now));
  }
  if (!opt.end.empty()) {
    TSDB_ASSIGN_OR_RETURN(end, ParseTime("--end", opt.end, now));
  }
  std::optional<int64_t> step;
  if (!opt.step.empty()) {
    TSDB_ASSIGN_OR_RETURN(step, ParseStep(opt.step));
  }
  std::vector<std::vector<Matcher>> selectors;
  TSDB_ASSIGN_OR_RETURN(selectors, ParseMatches(opt.match));
  if (opt.mode == Mode::kSeries && selectors.empty()) {
    return Status::Usage("series: give at least one --match SELECTOR");
  }
  if (start && end && *end < *start) return Status::Usage("--end: end timestamp must not be before start time");

  // Samples without a timestamp are stamped with --time, else (range) --end, else now.
  int64_t sample_time = time ? *time : (opt.mode == Mode::kRange && end) ? *end : now;
  TSDB_ASSIGN_OR_RETURN(Sources src, OpenSources(opt, sample_time));
  // Over exposition text alone, "now" is the newest sample: a dump of last
  // month's data is queried where its data is.
  int64_t default_now = src.input_only && src.loaded.samples > 0 ? src.loaded.max_time : now;

  if (opt.mode == Mode::kSeries || opt.mode == Mode::kLabels) {
    int64_t mint = start.value_or(kMinTime), maxt = end.value_or(kMaxTime);
    if (opt.mode == Mode::kSeries) {
      TSDB_ASSIGN_OR_RETURN(auto series, src.store->Series(selectors, mint, maxt));
      return WriteSeries(series, format, out);
    }
    if (!opt.label_name.empty()) {
      TSDB_ASSIGN_OR_RETURN(auto values, src.store->LabelValues(opt.label_name, selectors, mint, maxt));
      return WriteLabels(values, true, format, out);
    }
    TSDB_ASSIGN_OR_RETURN(auto names, src.store->LabelNames(selectors, mint, maxt));
    return WriteLabels(names, false, format, out);
  }

  int64_t qstart, qend, qstep = 0;
  bool instant = opt.mode == Mode::kInstant;
  if (instant) {
    qstart = qend = time.value_or(default_now);
  } else {
    // promtool's defaults: now, five minutes before, and about 250 points.
    qend = end.value_or(default_now);
    qstart = start.value_or(qend - 5 * 60 * 1000);
    if (qend < qstart) return Status::Usage("--end: end timestamp must not be before start time");
    qstep = step.value_or(std::max<int64_t>((qend - qstart) / 250 / 1000, 1) * 1000);
    if (qstep <= 0) {
      return Status::Usage("--step: zero or negative query resolution step widths are not accepted. "
                           "Try a positive integer");
    }
    if ((qend - qstart) / qstep > kMaxPoints) {
      return Status::Usage("exceeded maximum resolution of 11,000 points per timeseries. "
                           "Try decreasing the query resolution (?step=XX)");
    }
  }

  promql::Engine engine(eo);
  auto result = engine.Eval(*src.store, *expr, opt.expr, qstart, qend, qstep, instant);
  if (!result.ok()) {
    const Status& st = result.status();
    // The engine's own refusals of a well-formed query (a range query of a
    // range vector) are the command line's; evaluation failures and the
    // store's errors are the work's.
    if (st.code() == Status::Code::kInvalidArgument) return Status::Usage(st.message());
    return st;
  }
  LogAnnotations(result->annotations, opt.quiet);
  cli::Log().Debug("query done", {{"samples_read", std::to_string(result->total_samples)},
                                  {"peak_samples", std::to_string(result->peak_samples)}});
  TSDB_RETURN_IF_ERROR(NameResult(opt.name, format == Format::kProm, &*result));
  return WriteQueryResult(*result, format, out);
}

}  // namespace tsdb::query
