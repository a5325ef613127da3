// promql_test_runner: runs Prometheus's PromQL test scripts
// (promql/promqltest/testdata/*.test) against our engine and reports, per
// file, how many evals pass, fail and are skipped.
//
//   promql_test_runner FILE.test... [--baseline FILE] [--write-baseline FILE]
//                      [--verbose] [--filter SUBSTRING] [--parse-only] [--no-isolate]
//
// Semantics follow Prometheus's test framework (test.go): the same engine
// settings (experimental functions, duration expressions and binop fill
// modifiers enabled, delayed name removal, 5m lookback, 10000 max samples, a
// 1m default subquery step), the same result
// comparison (relative epsilon 1e-6, NaN equals NaN but not a stale marker,
// exact label sets, results of the right type, order only for
// eval_ordered/`expect ordered`), the same annotation and failure checks.
// Not done: Prometheus also re-runs every instant eval with @ modifiers and
// as a range query; we run each eval once.
//
// Native histograms are not stored yet: `{{...}}` samples in a load are
// remembered, not stored, and an eval that selects a series that had any, or
// that expects a histogram, is SKIPPED. Everything else that fails counts as
// failed, including evals that need features we lack (marked "unsupported").
//
// Each eval runs in a forked child (unless --no-isolate), so that a crash or
// a hang in the engine costs one eval, not the file.
//
// Output: a line (and a detail line) per failed eval, and per file
// "FILE: N passed, N failed, N skipped". --baseline FILE lists evals that
// passed before ("functions.test:123", one a line): exit status 1 when one
// of them does not pass now, and the evals that pass but are not listed are
// printed so that the list can grow; --write-baseline FILE writes the list
// (entries of files not run this time are kept). --parse-only parses the
// scripts and prints what they hold. Exit status 2 for bad usage or a file
// that cannot be read.
#include <fcntl.h>
#include <re2/re2.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/labels.h"
#include "model/value.h"
#include "promql/engine.h"
#include "promql/parser.h"
#include "script.h"
#include "store/memory_store.h"

namespace tsdb::promqltest {
namespace {

constexpr double kEpsilon = 0.000001;  // Prometheus's defaultEpsilon
constexpr int64_t kMaxSamples = 10000; // Prometheus's DefaultMaxSamplesPerQuery
constexpr unsigned kEvalTimeoutSeconds = 60;

struct Options {
  std::vector<std::string> files;
  std::string baseline;
  std::string write_baseline;
  std::string filter;
  bool verbose = false;
  bool parse_only = false;
  bool isolate = true;
};

// Prometheus's almost.Equal.
bool AlmostEqual(double a, double b) {
  if (IsStaleNaN(a) || IsStaleNaN(b)) return IsStaleNaN(a) && IsStaleNaN(b);
  if (std::isnan(a) && std::isnan(b)) return true;
  if (a == b) return true;
  constexpr double kMinNormal = 2.2250738585072014e-308;
  double abs_sum = std::fabs(a) + std::fabs(b);
  double diff = std::fabs(a - b);
  if (a == 0 || b == 0 || abs_sum < kMinNormal) return diff < kEpsilon * kMinNormal;
  return diff / std::min(abs_sum, std::numeric_limits<double>::max()) < kEpsilon;
}

std::string Num(double v) {
  if (IsStaleNaN(v)) return "stale";
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string Dur(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string DescribeSeq(const std::vector<SequenceValue>& vals) {
  std::string out;
  for (const SequenceValue& v : vals) {
    if (!out.empty()) out += ' ';
    out += v.histogram ? "{{...}}" : v.omitted ? "_" : Num(v.value);
  }
  return out;
}

std::string DescribePoints(const promql::Series& s) {
  std::string out = std::to_string(s.floats.size()) + " float points [";
  for (size_t i = 0; i < s.floats.size(); ++i) {
    if (i) out += ' ';
    if (i == 12 && s.floats.size() > 14) {
      out += "... ";
      i = s.floats.size() - 2;
    }
    out += Num(s.floats[i].f) + "@" + Dur(s.floats[i].t);
  }
  out += "]";
  if (!s.histograms.empty()) out += " and " + std::to_string(s.histograms.size()) + " histogram points";
  return out;
}

std::string DescribeResult(const promql::QueryResult& r, size_t max_lines) {
  std::ostringstream o;
  size_t n = 0;
  auto more = [&](size_t total) {
    if (total > max_lines) o << "\n      ... " << (total - max_lines) << " more";
  };
  switch (r.type) {
    case promql::ValueType::kScalar:
      o << "scalar " << Num(r.scalar.v);
      break;
    case promql::ValueType::kString:
      o << "string \"" << r.string.v << "\"";
      break;
    case promql::ValueType::kVector:
      o << "vector of " << r.vector.size();
      for (const promql::Sample& s : r.vector) {
        if (n++ == max_lines) break;
        o << "\n      " << s.metric.ToString() << " " << (s.histogram ? std::string("{{...}}") : Num(s.f));
      }
      more(r.vector.size());
      break;
    case promql::ValueType::kMatrix:
      o << "matrix of " << r.matrix.size();
      for (const promql::Series& s : r.matrix) {
        if (n++ == max_lines) break;
        o << "\n      " << s.metric.ToString() << " " << DescribePoints(s);
      }
      more(r.matrix.size());
      break;
    default:
      o << "no value";
  }
  return o.str();
}

// ---------------------------------------------------------------------------
// Checks, as test.go's compareResult, checkAnnotations, checkExpectedFailure.

bool TextMatches(const ExpectText& e, const std::string& s) {
  if (!e.regex) return e.text == s;
  if (e.text.empty()) return true;
  RE2 re(e.text, RE2::Quiet);
  return re.ok() && RE2::PartialMatch(s, re);
}

std::string Join(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "; " : "") + v[i];
  return out + "]";
}

std::string CheckAnnotationsOfType(const std::vector<ExpectText>& expected, const std::vector<std::string>& actual,
                                   const char* type) {
  if (expected.empty()) return "";
  if (actual.empty()) return std::string("expected ") + type + " annotations but none were found";
  for (const ExpectText& e : expected) {
    if (std::none_of(actual.begin(), actual.end(), [&](const std::string& a) { return TextMatches(e, a); })) {
      return std::string("expected ") + type + " annotation matching " + (e.regex ? "pattern" : "message") + " \"" +
             e.text + "\" but found " + Join(actual);
    }
  }
  for (const std::string& a : actual) {
    if (std::none_of(expected.begin(), expected.end(), [&](const ExpectText& e) { return TextMatches(e, a); })) {
      return std::string("unexpected ") + type + " annotation \"" + a + "\"";
    }
  }
  return "";
}

std::string CheckAnnotations(const EvalCmd& cmd, const promql::Annotations& a) {
  if (cmd.warn && a.warnings().empty()) return "expected warnings but got none";
  if (cmd.info && a.infos().empty()) return "expected info annotations but got none";
  if (auto e = CheckAnnotationsOfType(cmd.expect_warn, a.warnings(), "warn"); !e.empty()) return e;
  if (auto e = CheckAnnotationsOfType(cmd.expect_info, a.infos(), "info"); !e.empty()) return e;
  if (cmd.expect_no_warn && !a.warnings().empty()) return "unexpected warning annotations: " + Join(a.warnings());
  if (cmd.expect_no_info && !a.infos().empty()) return "unexpected info annotations: " + Join(a.infos());
  return "";
}

std::string CheckFailure(const EvalCmd& cmd, const std::string& err) {
  if (!cmd.fail_message.empty() && cmd.fail_message != err) {
    return "expected error \"" + cmd.fail_message + "\", but got: " + err;
  }
  if (!cmd.fail_regexp.empty()) {
    RE2 re(cmd.fail_regexp, RE2::Quiet);
    if (!RE2::PartialMatch(err, re)) return "expected error matching \"" + cmd.fail_regexp + "\", but got: " + err;
  }
  if (!cmd.expect_fail.empty() && !TextMatches(cmd.expect_fail[0], err)) {
    return "expected error matching \"" + cmd.expect_fail[0].text + "\", but got: " + err;
  }
  return "";
}

const ExpectedSeries* FindExpected(const EvalCmd& cmd, const Labels& l) {
  for (const ExpectedSeries& e : cmd.expected) {
    if (e.labels == l) return &e;
  }
  return nullptr;
}

std::string CompareMatrix(const EvalCmd& cmd, const promql::Matrix& m) {
  if (cmd.IsOrdered()) return "expected ordered result, but query returned a matrix";
  if (cmd.expect_scalar) return "expected scalar result, but got a matrix";
  for (size_t i = 1; i < m.size(); ++i) {
    if (m[i].metric < m[i - 1].metric) {
      return "matrix results should always be sorted by labels, but " + m[i].metric.ToString() + " comes after " +
             m[i - 1].metric.ToString();
    }
  }
  std::set<const ExpectedSeries*> seen;
  for (const promql::Series& s : m) {
    const ExpectedSeries* exp = FindExpected(cmd, s.metric);
    if (exp == nullptr) return "unexpected metric " + s.metric.ToString() + " in result, has " + DescribePoints(s);
    seen.insert(exp);
    std::vector<promql::FPoint> floats;
    size_t histograms = 0;
    for (size_t i = 0; i < exp->values.size(); ++i) {
      int64_t t = cmd.start_ms + static_cast<int64_t>(i) * cmd.step_ms;
      if (t > cmd.end_ms) {
        return "expected " + std::to_string(exp->values.size()) + " points for " + exp->labels.ToString() +
               ", but query time range cannot return this many points";
      }
      const SequenceValue& v = exp->values[i];
      if (v.histogram) {
        ++histograms;
      } else if (!v.omitted) {
        floats.push_back({t, v.value});
      }
    }
    if (floats.size() != s.floats.size() || histograms != s.histograms.size()) {
      return "expected " + std::to_string(floats.size()) + " float points for " + exp->labels.ToString() + " (" +
             DescribeSeq(exp->values) + "), but got " + DescribePoints(s);
    }
    for (size_t i = 0; i < floats.size(); ++i) {
      const promql::FPoint& got = s.floats[i];
      if (floats[i].t != got.t) {
        return "expected float point " + std::to_string(i) + " of " + exp->labels.ToString() + " at " +
               Dur(floats[i].t) + ", but it was at " + Dur(got.t) + " (result has " + DescribePoints(s) + ")";
      }
      if (!AlmostEqual(got.f, floats[i].f)) {
        return "expected " + Num(floats[i].f) + " at " + Dur(got.t) + " for " + exp->labels.ToString() +
               " but got " + Num(got.f) + " (result has " + DescribePoints(s) + ")";
      }
    }
  }
  for (const ExpectedSeries& e : cmd.expected) {
    if (!seen.count(&e)) return "expected metric " + e.labels.ToString() + " not found";
  }
  return "";
}

std::string CompareVector(const EvalCmd& cmd, const promql::Vector& v) {
  if (cmd.expect_scalar) return "expected scalar result, but got a vector of " + std::to_string(v.size());
  std::set<const ExpectedSeries*> seen;
  for (size_t pos = 0; pos < v.size(); ++pos) {
    const promql::Sample& s = v[pos];
    const ExpectedSeries* exp = FindExpected(cmd, s.metric);
    if (exp == nullptr) {
      return "unexpected metric " + s.metric.ToString() + " in result, has value " +
             (s.histogram ? std::string("{{...}}") : Num(s.f));
    }
    if (cmd.IsOrdered() && exp->pos != static_cast<int>(pos) + 1) {
      return "expected metric " + s.metric.ToString() + " at position " + std::to_string(exp->pos) + " but was at " +
             std::to_string(pos + 1);
    }
    if (exp->values.empty()) return "no expected value for " + s.metric.ToString();
    const SequenceValue& e = exp->values[0];
    if (!e.histogram && s.histogram) return "expected float value " + Num(e.value) + " for " + s.metric.ToString() + " but got a histogram";
    if (e.histogram && !s.histogram) return "expected a histogram for " + s.metric.ToString() + " but got float value " + Num(s.f);
    if (!AlmostEqual(e.value, s.f)) {
      return "expected " + Num(e.value) + " for " + s.metric.ToString() + " but got " + Num(s.f);
    }
    seen.insert(exp);
  }
  for (const ExpectedSeries& e : cmd.expected) {
    if (!seen.count(&e)) return "expected metric " + e.labels.ToString() + " with " + DescribeSeq(e.values) + " not found";
  }
  return "";
}

std::string CompareResult(const EvalCmd& cmd, const promql::QueryResult& r) {
  switch (r.type) {
    case promql::ValueType::kMatrix:
      return CompareMatrix(cmd, r.matrix);
    case promql::ValueType::kVector:
      return CompareVector(cmd, r.vector);
    case promql::ValueType::kScalar:
      if (!cmd.expect_scalar) return "expected vector or matrix result, but got scalar " + Num(r.scalar.v);
      if (!AlmostEqual(cmd.scalar.value, r.scalar.v)) {
        return "expected scalar " + Num(cmd.scalar.value) + " but got " + Num(r.scalar.v);
      }
      return "";
    case promql::ValueType::kString:
      if (cmd.expected_string != r.string.v) {
        return "expected string \"" + cmd.expected_string + "\" but got \"" + r.string.v + "\"";
      }
      return "";
    default:
      return "the query returned no value (type none)";
  }
}

// ---------------------------------------------------------------------------
// What an expression selects.

void CollectSelectors(const promql::Expr& e, std::vector<const promql::VectorSelector*>* out) {
  using promql::As;
  using promql::ExprKind;
  switch (e.kind) {
    case ExprKind::kVectorSelector:
      out->push_back(&As<promql::VectorSelector>(e));
      break;
    case ExprKind::kMatrixSelector:
      if (const auto& m = As<promql::MatrixSelector>(e); m.vector_selector) CollectSelectors(*m.vector_selector, out);
      break;
    case ExprKind::kParen:
      if (const auto& p = As<promql::ParenExpr>(e); p.expr) CollectSelectors(*p.expr, out);
      break;
    case ExprKind::kUnary:
      if (const auto& u = As<promql::UnaryExpr>(e); u.expr) CollectSelectors(*u.expr, out);
      break;
    case ExprKind::kBinary: {
      const auto& b = As<promql::BinaryExpr>(e);
      if (b.lhs) CollectSelectors(*b.lhs, out);
      if (b.rhs) CollectSelectors(*b.rhs, out);
      break;
    }
    case ExprKind::kAggregate: {
      const auto& a = As<promql::AggregateExpr>(e);
      if (a.expr) CollectSelectors(*a.expr, out);
      if (a.param) CollectSelectors(*a.param, out);
      break;
    }
    case ExprKind::kCall:
      for (const promql::ExprPtr& arg : As<promql::Call>(e).args) {
        if (arg) CollectSelectors(*arg, out);
      }
      break;
    case ExprKind::kSubquery:
      if (const auto& s = As<promql::SubqueryExpr>(e); s.expr) CollectSelectors(*s.expr, out);
      break;
    default:
      break;
  }
}

bool SelectsAny(const std::vector<const promql::VectorSelector*>& selectors, const std::vector<Labels>& series) {
  for (const promql::VectorSelector* vs : selectors) {
    for (const Labels& l : series) {
      if (MatchesAll(vs->matchers, l)) return true;
    }
  }
  return false;
}

// The missing feature a failure is most likely due to, for the report: ""
// when none is recognised.
std::string UnsupportedFeature(const std::string& failure) {
  static const RE2 extended(R"re(parse error: unexpected identifier "(anchored|smoothed)")re");
  static const RE2 not_implemented(R"re(function "(\w+)" is not implemented)re");
  std::string fn;
  if (RE2::PartialMatch(failure, extended)) return "anchored/smoothed selectors (experimental)";
  if (failure.find("in a duration expression is not supported") != std::string::npos) {
    return "step()/range() in durations (experimental)";
  }
  if (RE2::PartialMatch(failure, not_implemented, &fn)) return "function " + fn + "()";
  return "";
}

// The identifiers of a query, for guessing what it selects when it does
// not parse.
std::set<std::string> Identifiers(const std::string& expr) {
  std::set<std::string> out;
  for (size_t i = 0; i < expr.size();) {
    char c = expr[i];
    if (c == '"' || c == '\'' || c == '`') {  // skip string literals
      size_t j = i + 1;
      while (j < expr.size() && expr[j] != c) j += (expr[j] == '\\' && c != '`') ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':') {
      size_t j = i;
      while (j < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[j])) || expr[j] == '_' || expr[j] == ':')) ++j;
      out.insert(expr.substr(i, j - i));
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Running a file.

enum class Outcome { kPass, kFail, kSkip };

struct EvalOutcome {
  Outcome outcome = Outcome::kFail;
  std::string message;      // why it failed or was skipped
  std::string detail;       // the result we got, for --verbose
  std::string unsupported;  // the missing feature a failure is likely due to
};

struct EvalRecord {
  int line = 0;
  Outcome outcome = Outcome::kFail;
};

struct FileReport {
  std::string name;  // the file's base name, as baseline lines spell it
  int passed = 0, failed = 0, skipped = 0, unsupported = 0;
  std::vector<EvalRecord> evals;
};

class FileRunner {
 public:
  FileRunner(const Options& opt, const promql::Engine& engine) : opt_(opt), engine_(engine) {}

  FileReport Run(const std::string& name, const std::string& text) {
    FileReport report;
    report.name = name;
    for (const Command& cmd : ParseScript(text)) {
      switch (cmd.kind) {
        case Command::Kind::kClear:
          store_.Clear();
          histogram_series_.clear();
          st_series_.clear();
          break;
        case Command::Kind::kLoad:
          Load(cmd.load);
          break;
        case Command::Kind::kError: {
          // A command that does not parse: one failure, counted against its line.
          std::cout << name << ":" << cmd.line << ": FAIL (script): " << cmd.error << "\n";
          ++report.failed;
          report.evals.push_back({cmd.line, Outcome::kFail});
          break;
        }
        case Command::Kind::kEval: {
          if (!opt_.filter.empty() && cmd.eval.expr.find(opt_.filter) == std::string::npos &&
              (name + ":" + std::to_string(cmd.line)).find(opt_.filter) == std::string::npos) {
            break;
          }
          EvalOutcome o = opt_.isolate ? EvalIsolated(cmd.eval) : Eval(cmd.eval);
          Report(name, text, cmd, o, &report);
          break;
        }
      }
    }
    return report;
  }

 private:
  void Load(const LoadCmd& load) {
    for (const SeriesDesc& s : load.series) {
      bool histogram = false;
      for (size_t i = 0; i < s.values.size(); ++i) {
        const SequenceValue& v = s.values[i];
        if (v.histogram) histogram = true;
        if (v.omitted || v.histogram) continue;
        store_.Add(s.labels, static_cast<int64_t>(i) * load.interval_ms, v.value);
      }
      if (histogram) histogram_series_.push_back(s.labels);
      if (load.with_nhcb) NoteCustomBucketsHistogram(s.labels);
    }
    for (const Labels& l : load.start_timestamp_series) st_series_.push_back(l);
  }

  // load_with_nhcb also turns classic histograms (X_bucket{le=...}, X_count,
  // X_sum) into native histograms with custom buckets named X, which we do
  // not store: remember X as a histogram series.
  void NoteCustomBucketsHistogram(const Labels& l) {
    std::string_view name = l.MetricName();
    for (std::string_view suffix : {"_bucket", "_count", "_sum"}) {
      if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
        LabelsBuilder b(l);
        b.Set(kMetricNameLabel, name.substr(0, name.size() - suffix.size()));
        b.Del("le");
        Labels base = b.Build();
        if (std::find(histogram_series_.begin(), histogram_series_.end(), base) == histogram_series_.end()) {
          histogram_series_.push_back(std::move(base));
        }
        return;
      }
    }
  }

  EvalOutcome Eval(const EvalCmd& cmd) {
    EvalOutcome o;
    if (cmd.expects_histogram) {
      o.outcome = Outcome::kSkip;
      o.message = "native histogram (expected)";
      return o;
    }
    bool selects_start_timestamps = false;
    auto parsed = promql::ParseExpr(cmd.expr, engine_.options().parse);
    if (parsed.ok()) {
      std::vector<const promql::VectorSelector*> selectors;
      CollectSelectors(**parsed, &selectors);
      if (SelectsAny(selectors, histogram_series_)) {
        o.outcome = Outcome::kSkip;
        o.message = "native histogram (selected)";
        return o;
      }
      selects_start_timestamps = SelectsAny(selectors, st_series_);
    } else {
      // We cannot see its selectors: a histogram series' name in it will do.
      std::set<std::string> idents = Identifiers(cmd.expr);
      for (const Labels& l : histogram_series_) {
        if (idents.count(std::string(l.MetricName()))) {
          o.outcome = Outcome::kSkip;
          o.message = "native histogram (named in a query we cannot parse)";
          return o;
        }
      }
    }

    Result<promql::QueryResult> r =
        cmd.range ? engine_.Range(store_, cmd.expr, cmd.start_ms, cmd.end_ms, cmd.step_ms)
                  : engine_.Instant(store_, cmd.expr, cmd.eval_ms);
    if (!r.ok()) {
      const std::string& err = r.status().message();
      if (cmd.IsFail()) {
        o.message = CheckFailure(cmd, err);
      } else {
        o.message = "error evaluating query: " + err;
      }
    } else if (cmd.IsFail()) {
      o.message = "expected error evaluating query but got none";
    } else {
      o.message = CheckAnnotations(cmd, r->annotations);
      if (o.message.empty()) o.message = CompareResult(cmd, *r);
    }
    if (!o.message.empty() && r.ok()) o.detail = DescribeResult(*r, opt_.verbose ? 50 : 0);
    o.outcome = o.message.empty() ? Outcome::kPass : Outcome::kFail;
    if (o.outcome == Outcome::kFail) {
      o.unsupported = selects_start_timestamps ? "start timestamps" : UnsupportedFeature(o.message);
    }
    return o;
  }

  // Eval in a forked child: a crash or a hang fails this eval only.
  EvalOutcome EvalIsolated(const EvalCmd& cmd) {
    int fds[2];
    if (pipe(fds) != 0) return Eval(cmd);
    std::cout.flush();
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      return Eval(cmd);
    }
    if (pid == 0) {
      close(fds[0]);
      alarm(kEvalTimeoutSeconds);
      EvalOutcome o = Eval(cmd);
      std::string out = std::to_string(static_cast<int>(o.outcome)) + "\n" + Escape(o.message) + "\n" +
                        Escape(o.detail) + "\n" + Escape(o.unsupported) + "\n";
      size_t done = 0;
      while (done < out.size()) {
        ssize_t n = write(fds[1], out.data() + done, out.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      _exit(0);
    }
    close(fds[1]);
    std::string in;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) in.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EvalOutcome o;
    if (WIFSIGNALED(status)) {
      int sig = WTERMSIG(status);
      o.message = sig == SIGALRM ? "timed out after " + std::to_string(kEvalTimeoutSeconds) + " s"
                                 : std::string("crashed: ") + strsignal(sig);
      return o;
    }
    std::istringstream is(in);
    std::string outcome, message, detail, unsupported;
    if (!std::getline(is, outcome) || !std::getline(is, message) || !std::getline(is, detail) ||
        !std::getline(is, unsupported)) {
      o.message = "the eval's process ended without a result (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
      return o;
    }
    o.outcome = static_cast<Outcome>(std::stoi(outcome));
    o.message = Unescape(message);
    o.detail = Unescape(detail);
    o.unsupported = Unescape(unsupported);
    return o;
  }

  static std::string Escape(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    return out;
  }
  static std::string Unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        out += s[i + 1] == 'n' ? '\n' : s[i + 1];
        ++i;
      } else {
        out += s[i];
      }
    }
    return out;
  }

  void Report(const std::string& name, const std::string& text, const Command& cmd, const EvalOutcome& o,
              FileReport* report) {
    report->evals.push_back({cmd.line, o.outcome});
    std::string where = name + ":" + std::to_string(cmd.line);
    switch (o.outcome) {
      case Outcome::kPass:
        ++report->passed;
        if (opt_.verbose) std::cout << where << ": PASS\n";
        return;
      case Outcome::kSkip:
        ++report->skipped;
        if (opt_.verbose) std::cout << where << ": SKIP " << o.message << ": " << cmd.eval.expr << "\n";
        return;
      case Outcome::kFail:
        break;
    }
    ++report->failed;
    if (!o.unsupported.empty()) ++report->unsupported;
    std::string message = o.message;
    if (!opt_.verbose && message.size() > 400) message = message.substr(0, 400) + "...";
    std::cout << where << ": FAIL" << (o.unsupported.empty() ? "" : " [unsupported: " + o.unsupported + "]") << ": "
              << ScriptLine(text, cmd.line) << "\n    " << message << "\n";
    if (opt_.verbose) {
      for (const ExpectedSeries& e : cmd.eval.expected) {
        std::cout << "    want " << e.labels.ToString() << " " << DescribeSeq(e.values) << "\n";
      }
      if (cmd.eval.expect_scalar) std::cout << "    want scalar " << Num(cmd.eval.scalar.value) << "\n";
      if (!o.detail.empty()) std::cout << "    got " << o.detail << "\n";
    }
  }

  const Options& opt_;
  const promql::Engine& engine_;
  store::MemoryStore store_;
  std::vector<Labels> histogram_series_;  // got native histogram samples since the last clear
  std::vector<Labels> st_series_;         // got start timestamps since the last clear
};

// ---------------------------------------------------------------------------

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

std::string BaseName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// "functions.test:123" -> ("functions.test", 123); ordered by file, then line.
using EvalKey = std::pair<std::string, int>;

bool ParseKey(std::string_view line, EvalKey* key) {
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r' || line.back() == '\t')) line.remove_suffix(1);
  size_t colon = line.rfind(':');
  if (line.empty() || line[0] == '#' || colon == std::string_view::npos) return false;
  int n = 0;
  auto [p, ec] = std::from_chars(line.data() + colon + 1, line.data() + line.size(), n);
  if (ec != std::errc() || p != line.data() + line.size()) return false;
  *key = {std::string(line.substr(0, colon)), n};
  return true;
}

std::set<EvalKey> ReadBaseline(const std::string& path, bool* ok) {
  std::set<EvalKey> keys;
  std::string text;
  *ok = ReadFile(path, &text);
  std::istringstream is(text);
  std::string line;
  EvalKey key;
  while (std::getline(is, line)) {
    if (ParseKey(line, &key)) keys.insert(key);
  }
  return keys;
}

int ParseOnly(const Options& opt) {
  int errors = 0;
  for (const std::string& path : opt.files) {
    std::string text;
    if (!ReadFile(path, &text)) {
      std::cerr << path << ": cannot read\n";
      return 2;
    }
    int loads = 0, evals = 0, clears = 0, bad = 0, series = 0;
    for (const Command& c : ParseScript(text)) {
      switch (c.kind) {
        case Command::Kind::kLoad:
          ++loads;
          series += static_cast<int>(c.load.series.size());
          break;
        case Command::Kind::kEval:
          ++evals;
          break;
        case Command::Kind::kClear:
          ++clears;
          break;
        case Command::Kind::kError:
          ++bad;
          std::cout << BaseName(path) << ":" << c.line << ": " << c.error << "\n";
          break;
      }
    }
    errors += bad;
    std::cout << BaseName(path) << ": " << loads << " loads (" << series << " series), " << evals << " evals, "
              << clears << " clears, " << bad << " errors\n";
  }
  return errors ? 1 : 0;
}

int Usage(const char* msg) {
  std::cerr << "promql_test_runner: " << msg
            << "\nusage: promql_test_runner FILE.test... [--baseline FILE] [--write-baseline FILE] [--verbose]"
               " [--filter SUBSTRING] [--parse-only] [--no-isolate]\n";
  return 2;
}

int Main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (a == "--baseline") {
      if (!value(&opt.baseline)) return Usage("--baseline needs a file");
    } else if (a == "--write-baseline") {
      if (!value(&opt.write_baseline)) return Usage("--write-baseline needs a file");
    } else if (a == "--filter") {
      if (!value(&opt.filter)) return Usage("--filter needs a substring");
    } else if (a == "--verbose" || a == "-v") {
      opt.verbose = true;
    } else if (a == "--parse-only") {
      opt.parse_only = true;
    } else if (a == "--no-isolate") {
      opt.isolate = false;
    } else if (a == "--help" || a == "-h") {
      Usage("runs Prometheus PromQL test scripts against our engine");
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      return Usage(("unknown flag " + a).c_str());
    } else {
      opt.files.push_back(a);
    }
  }
  if (opt.files.empty()) return Usage("no test files given");
  if (opt.parse_only) return ParseOnly(opt);

  std::set<EvalKey> baseline;
  if (!opt.baseline.empty()) {
    bool ok;
    baseline = ReadBaseline(opt.baseline, &ok);
    if (!ok) {
      std::cerr << opt.baseline << ": cannot read\n";
      return 2;
    }
  }

  promql::EngineOptions eo;
  eo.lookback_delta_ms = 5 * 60 * 1000;
  eo.max_samples = kMaxSamples;
  eo.timeout = std::chrono::seconds(100);
  eo.parse.experimental_functions = true;
  eo.parse.duration_expr = true;
  eo.parse.binop_fill_modifiers = true;
  eo.delayed_name_removal = true;  // as Prometheus's test engine runs
  promql::Engine engine(eo);

  std::vector<FileReport> reports;
  for (const std::string& path : opt.files) {
    std::string text;
    if (!ReadFile(path, &text)) {
      std::cerr << path << ": cannot read\n";
      return 2;
    }
    FileRunner runner(opt, engine);
    reports.push_back(runner.Run(BaseName(path), text));
    const FileReport& r = reports.back();
    std::cout << r.name << ": " << r.passed << " passed, " << r.failed << " failed, " << r.skipped << " skipped";
    if (r.unsupported) std::cout << " (" << r.unsupported << " of the failures need an unsupported feature)";
    std::cout << std::endl;
  }

  int exit_status = 0;
  std::set<std::string> run_files;
  std::set<EvalKey> passing, evaluated;
  for (const FileReport& r : reports) {
    run_files.insert(r.name);
    for (const EvalRecord& e : r.evals) {
      evaluated.insert({r.name, e.line});
      if (e.outcome == Outcome::kPass) passing.insert({r.name, e.line});
    }
  }
  if (!opt.baseline.empty()) {
    int regressions = 0, added = 0;
    for (const EvalKey& k : baseline) {
      if (!run_files.count(k.first) || passing.count(k)) continue;
      if (!evaluated.count(k) && !opt.filter.empty()) continue;  // filtered out
      std::cout << k.first << ":" << k.second << ": REGRESSION: passed in the baseline, "
                << (evaluated.count(k) ? "does not pass now" : "is not an eval of the file any more") << "\n";
      ++regressions;
    }
    for (const EvalKey& k : passing) {
      if (baseline.count(k)) continue;
      std::cout << k.first << ":" << k.second << ": NEW PASS (not in the baseline)\n";
      ++added;
    }
    std::cout << "baseline " << opt.baseline << ": " << regressions << " regressions, " << added
              << " new passes" << std::endl;
    if (regressions) exit_status = 1;
  }
  if (!opt.write_baseline.empty()) {
    bool ok;
    std::set<EvalKey> kept = ReadBaseline(opt.write_baseline, &ok);
    std::set<EvalKey> out;
    for (const EvalKey& k : kept) {
      // Keep what this run did not look at: other files, evals filtered out.
      if (!run_files.count(k.first) || (!opt.filter.empty() && !evaluated.count(k))) out.insert(k);
    }
    out.insert(passing.begin(), passing.end());
    std::ofstream f(opt.write_baseline, std::ios::trunc);
    for (const EvalKey& k : out) f << k.first << ":" << k.second << "\n";
    f.close();
    if (!f) {
      std::cerr << opt.write_baseline << ": cannot write\n";
      return 2;
    }
    std::cout << "wrote " << out.size() << " passing evals to " << opt.write_baseline << std::endl;
  }
  return exit_status;
}

}  // namespace
}  // namespace tsdb::promqltest

int main(int argc, char** argv) { return tsdb::promqltest::Main(argc, argv); }
