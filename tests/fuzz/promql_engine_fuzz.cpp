// Fuzzes the PromQL engine over a small in-memory store: any query either
// fails with a status or evaluates, within the engine's timeout, to a result
// that keeps the engine's invariants:
// - a range query gives series sorted by labels, each once, whose points are
//   strictly increasing in time, inside [start, end] and on step boundaries;
// - an instant vector has no label set twice, and every sample is at the
//   evaluation time;
// - the canonical text of the query, Format(ParseExpr(q)), evaluates to the
//   same result as q (values compared bit for bit, NaN equal to NaN).
// A broken invariant aborts with a message naming the query and the times.
//
// The input is either query text (most of the shared promql corpus), or, when
// its first byte is not one a query starts with (a control byte below '\t'
// or a byte >= 0x80), the bytes after it drive a small generator of
// well-typed expressions over the store's metrics, so that most inputs get
// past the parser and into the evaluator. With PROMQL_ENGINE_FUZZ_PRINT set
// in the environment, each input's query is printed to stderr.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/labels.h"
#include "model/value.h"
#include "promql/engine.h"
#include "promql/functions.h"
#include "promql/parser.h"
#include "store/memory_store.h"

namespace {

using tsdb::Labels;
using tsdb::promql::Engine;
using tsdb::promql::EngineOptions;
using tsdb::promql::QueryResult;
using tsdb::promql::ValueType;

constexpr int64_t kSec = 1000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kScrape = 15 * kSec;
constexpr int64_t kSpan = 30 * kMin;  // samples at 0, 15s, ..., 30m

// ---- the store ----

// A dozen series over 30 minutes at 15 s: counters with resets, gauges with
// NaN, ±Inf and negative values, a stale marker, a gap longer than the
// lookback, and a classic histogram.
const tsdb::store::MemoryStore& TheStore() {
  static const tsdb::store::MemoryStore* store = [] {
    auto* s = new tsdb::store::MemoryStore();
    auto add_all = [&](const Labels& l, auto value_at) {
      for (int64_t t = 0; t <= kSpan; t += kScrape) {
        double v = 0;
        if (value_at(t / kScrape, v)) s->Add(l, t, v);
      }
    };
    // Counters; the first resets twice, the third has a gap.
    add_all(Labels::FromStrings({"__name__", "http_requests_total", "job", "api", "instance", "a:9090", "code", "200"}),
            [](int64_t i, double& v) { v = static_cast<double>((i % 50) * 3); return true; });
    add_all(Labels::FromStrings({"__name__", "http_requests_total", "job", "api", "instance", "b:9090", "code", "500"}),
            [](int64_t i, double& v) { v = i < 60 ? 0.5 * static_cast<double>(i) : static_cast<double>(i - 60); return true; });
    add_all(Labels::FromStrings({"__name__", "http_requests_total", "job", "web", "instance", "a:9090", "code", "200"}),
            [](int64_t i, double& v) { v = static_cast<double>(i * i); return i < 40 || i > 70; });
    // Gauges: NaN, ±Inf, negatives; the second goes stale and comes back.
    add_all(Labels::FromStrings({"__name__", "node_temp", "instance", "a:9090", "job", "node"}),
            [](int64_t i, double& v) {
              switch (i % 17) {
                case 3: v = std::nan(""); break;
                case 7: v = INFINITY; break;
                case 11: v = -INFINITY; break;
                default: v = 20.0 - static_cast<double>(i % 13) * 3.25; break;
              }
              return true;
            });
    add_all(Labels::FromStrings({"__name__", "node_temp", "instance", "b:9090", "job", "node"}),
            [](int64_t i, double& v) {
              if (i == 50) {
                v = tsdb::StaleNaN();
              } else {
                v = -1.5 * static_cast<double>(i % 5) + (i > 80 ? 1e300 : 0.0);
              }
              return i <= 50 || i >= 56;
            });
    add_all(Labels::FromStrings({"__name__", "up", "job", "api", "instance", "a:9090"}),
            [](int64_t i, double& v) { v = i % 9 == 0 ? 0 : 1; return true; });
    // A classic histogram: cumulative buckets, _sum and _count, a reset.
    const char* les[] = {"0.1", "0.5", "1", "+Inf"};
    for (int b = 0; b < 4; b++) {
      add_all(Labels::FromStrings({"__name__", "req_duration_seconds_bucket", "job", "api", "le", les[b]}),
              [b](int64_t i, double& v) {
                int64_t n = i < 90 ? i : i - 90;
                v = static_cast<double>(n * (b + 1) + (b == 3 ? 2 : 0));
                return true;
              });
    }
    add_all(Labels::FromStrings({"__name__", "req_duration_seconds_sum", "job", "api"}),
            [](int64_t i, double& v) { v = 0.37 * static_cast<double>(i < 90 ? i : i - 90); return true; });
    add_all(Labels::FromStrings({"__name__", "req_duration_seconds_count", "job", "api"}),
            [](int64_t i, double& v) { v = static_cast<double>(4 * (i < 90 ? i : i - 90) + 2); return true; });
    // A bucket whose le does not parse, for histogram_quantile's error path.
    add_all(Labels::FromStrings({"__name__", "req_duration_seconds_bucket", "job", "web", "le", "abc"}),
            [](int64_t i, double& v) { v = static_cast<double>(i); return i % 2 == 0; });
    return s;
  }();
  return *store;
}

// ---- input bytes ----

class ByteSource {
 public:
  ByteSource(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  size_t Pick(size_t n) { return n == 0 ? 0 : Byte() % n; }
  bool Bool() { return (Byte() & 1) != 0; }
  bool empty() const { return pos_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

template <size_t N>
const char* PickOf(ByteSource& in, const char* const (&pool)[N]) {
  return pool[in.Pick(N)];
}

// ---- the generator: well-typed PromQL text ----

constexpr const char* kMetrics[] = {
    "http_requests_total", "node_temp", "req_duration_seconds_bucket", "up", "req_duration_seconds_sum",
    "req_duration_seconds_count", "http_requests_total", "node_temp", "req_duration_seconds_bucket",
    "no_such_metric",
};
constexpr const char* kMatchers[] = {
    "", "", "", "", "{job=\"api\"}", "{instance=~\"a.*\"}", "{code!=\"200\"}", "{le!~\"0.*\"}", "{job=\"\"}",
    "{job=~\"api|node\",instance!=\"b:9090\"}", "{\"job\"=\"web\"}",
};
constexpr const char* kNamelessSelectors[] = {
    "{__name__=~\"req_.*\"}", "{job=\"api\"}", "{__name__=~\".+\"}", "{__name__=~\"node_temp|up\",job!=\"x\"}",
};
constexpr const char* kLabels[] = {"job", "instance", "code", "le", "__name__", "dst", "nonexistent"};
constexpr const char* kRanges[] = {"5m", "1m", "30s", "15s", "1h", "10m", "7s", "2h", "1ms"};
constexpr const char* kSubSteps[] = {"", "1m", "15s", "30s", "7s", "5m", "", "1m", "15s", "10s", "100ms", "1ms"};
constexpr const char* kOffsets[] = {"5m", "-5m", "1h", "-1h", "30s", "0s", "1d", "-15s"};
constexpr const char* kAts[] = {"start()", "end()", "600", "0", "-60", "1800.5", "1e10", "9e12"};
constexpr const char* kNumbers[] = {
    "0", "1", "2", "0.5", "-1", "3", "0.25", "1.5", "100", "-0.5", "NaN", "Inf", "-Inf", "1e308",
    "5e-324", "0.9", "0.99", "1e18", "9.3e18", "-9.3e18", "0x10", "1e-9", "10", "-0",
};
constexpr const char* kStrings[] = {
    "job", "dst", "le", "", "$1", "(.*)", "a", "(a|b).*", "[", "x-y", "__name__", "${1}_${2}", "(.+):(\\\\d+)",
};
constexpr const char* kRegexes[] = {"(.*)", "(.+):(\\\\d+)", "a.*", "", "[", "(?P<x>.)", ".+", "(a|b)"};
constexpr const char* kReplacements[] = {"$1", "${1}x", "", "foo", "$x", "$2", "${2}:$1"};
constexpr const char* kArithOps[] = {"+", "-", "*", "/", "%", "^", "atan2"};
constexpr const char* kCompareOps[] = {"==", "!=", "<", ">", "<=", ">="};
constexpr const char* kSetOps[] = {"and", "or", "unless"};
constexpr const char* kAggOps[] = {
    "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "count_values",
    "quantile", "limitk", "limit_ratio",
};

class Generator {
 public:
  explicit Generator(ByteSource& in) : in_(in) {
    for (const auto& f : tsdb::promql::AllFunctions()) {
      if (f.name == "info") continue;  // not implemented
      if (f.return_type == ValueType::kVector) vector_fns_.push_back(&f);
      if (f.return_type == ValueType::kScalar) scalar_fns_.push_back(&f);
    }
  }

  std::string Top() {
    switch (in_.Pick(8)) {
      case 0: return Scalar(0);
      case 1: return Matrix(0);
      default: return Vector(0);
    }
  }

 private:
  static constexpr int kMaxDepth = 5;
  bool Leaf(int depth) const { return depth >= kMaxDepth || in_.empty(); }

  std::string Selector() {
    std::string s;
    if (in_.Pick(8) == 0) {
      s = PickOf(in_, kNamelessSelectors);
    } else {
      s = PickOf(in_, kMetrics);
      s += PickOf(in_, kMatchers);
    }
    return s;
  }

  // " offset 5m", " @ 600", both, or nothing.
  std::string Modifiers() {
    std::string s;
    size_t c = in_.Pick(6);
    if (c == 1 || c == 3) s += std::string(" offset ") + PickOf(in_, kOffsets);
    if (c == 2 || c == 3) s += std::string(" @ ") + PickOf(in_, kAts);
    return s;
  }

  std::string Label() { return PickOf(in_, kLabels); }

  std::string LabelList() {
    std::string s = "(";
    size_t n = in_.Pick(4);
    for (size_t i = 0; i < n; i++) {
      if (i) s += ", ";
      s += Label();
    }
    return s + ")";
  }

  static std::string Quote(std::string_view v) { return "\"" + std::string(v) + "\""; }

  // An operand of a binary operator, in parentheses if it has an operator of
  // its own at the top level (a space outside brackets and strings), so that
  // precedence keeps the tree the generator meant and its types.
  static std::string Operand(std::string s) {
    int depth = 0;
    bool quoted = false;
    for (size_t i = 0; i < s.size(); i++) {
      char ch = s[i];
      if (quoted) {
        if (ch == '\\') i++;
        else if (ch == '"') quoted = false;
      } else if (ch == '"') {
        quoted = true;
      } else if (ch == '(' || ch == '[' || ch == '{') {
        depth++;
      } else if (ch == ')' || ch == ']' || ch == '}') {
        depth--;
      } else if (ch == ' ' && depth == 0) {
        return "(" + s + ")";
      }
    }
    return s;
  }

  std::string Scalar(int depth) {
    if (Leaf(depth)) return PickOf(in_, kNumbers);
    switch (in_.Pick(6)) {
      case 0: return PickOf(in_, kNumbers);
      case 1: return Call(scalar_fns_, depth);
      case 2: {
        std::string op = in_.Bool() ? std::string(PickOf(in_, kArithOps)) : std::string(PickOf(in_, kCompareOps)) + " bool";
        std::string lhs = Operand(Scalar(depth + 1));
        return lhs + " " + op + " " + Operand(Scalar(depth + 1));
      }
      case 3: return "(" + Scalar(depth + 1) + ")";
      case 4: return "-" + Operand(Scalar(depth + 1));
      default: return "scalar(" + Vector(depth + 1) + ")";
    }
  }

  std::string Matrix(int depth) {
    if (Leaf(depth) || in_.Pick(3) != 0) {
      std::string sel = Selector();
      std::string range = PickOf(in_, kRanges);
      return sel + "[" + range + "]" + Modifiers();
    }
    std::string inner = Vector(depth + 1);
    std::string range = PickOf(in_, kRanges);
    std::string step = PickOf(in_, kSubSteps);
    return "(" + inner + ")[" + range + ":" + step + "]" + Modifiers();
  }

  std::string String(const tsdb::promql::FunctionInfo& f, size_t arg) {
    if (f.name == "label_replace") {
      switch (arg) {
        case 1: case 3: return Quote(Label());
        case 2: return Quote(PickOf(in_, kReplacements));
        default: return Quote(PickOf(in_, kRegexes));
      }
    }
    if (f.name == "label_join" && arg == 2) return Quote(in_.Bool() ? "," : "");
    if (in_.Pick(4) == 0) return Quote(PickOf(in_, kStrings));
    return Quote(Label());
  }

  std::string Call(const std::vector<const tsdb::promql::FunctionInfo*>& fns, int depth) {
    if (fns.empty()) return "vector(1)";
    const tsdb::promql::FunctionInfo& f = *fns[in_.Pick(fns.size())];
    std::vector<ValueType> types = f.arg_types;
    if (f.variadic > 0) {
      size_t drop = in_.Pick(static_cast<size_t>(f.variadic) + 1);
      types.resize(types.size() - drop);
    } else if (f.variadic < 0 && !types.empty()) {
      size_t more = in_.Pick(4);
      for (size_t i = 0; i < more; i++) types.push_back(types.back());
    }
    std::string s = std::string(f.name) + "(";
    for (size_t i = 0; i < types.size(); i++) {
      if (i) s += ", ";
      switch (types[i]) {
        case ValueType::kScalar: s += Scalar(depth + 1); break;
        case ValueType::kVector: s += Vector(depth + 1); break;
        case ValueType::kMatrix: s += Matrix(depth + 1); break;
        case ValueType::kString: s += String(f, i); break;
        case ValueType::kNone: break;
      }
    }
    return s + ")";
  }

  std::string Matching(bool set_op) {
    std::string s;
    size_t c = in_.Pick(4);
    if (c == 0) return s;
    s += c == 1 ? " ignoring" : " on";
    s += LabelList();
    if (!set_op && in_.Pick(3) == 0) {
      // Always with a list: a "(" after it would read as one.
      s += in_.Bool() ? " group_left" : " group_right";
      s += LabelList();
    }
    return s;
  }

  std::string Vector(int depth) {
    if (Leaf(depth) || in_.Pick(12) < 2) {
      std::string sel = Selector();
      return sel + Modifiers();
    }
    switch (in_.Pick(10)) {
      case 0: case 1: case 2: return Call(vector_fns_, depth);
      case 3: case 4: {
        const char* op = PickOf(in_, kAggOps);
        std::string grouping;
        size_t g = in_.Pick(3);
        if (g == 1) grouping = " by " + LabelList();
        if (g == 2) grouping = " without " + LabelList();
        std::string_view o = op;
        std::string param;
        if (o == "count_values") {
          param = Quote(in_.Bool() ? std::string(PickOf(in_, kStrings)) : Label()) + ", ";
        } else if (o == "topk" || o == "bottomk" || o == "quantile" || o == "limitk" || o == "limit_ratio") {
          param = Scalar(depth + 1) + ", ";
        }
        std::string body = "(" + param + Vector(depth + 1) + ")";
        return in_.Bool() ? op + grouping + " " + body : op + body + grouping;
      }
      case 5: case 6: {  // vector op vector
        size_t k = in_.Pick(3);
        std::string op;
        bool set_op = k == 2;
        if (k == 0) op = PickOf(in_, kArithOps);
        if (k == 1) op = std::string(PickOf(in_, kCompareOps)) + (in_.Bool() ? " bool" : "");
        if (k == 2) op = PickOf(in_, kSetOps);
        std::string lhs = Operand(Vector(depth + 1));
        std::string matching = Matching(set_op);
        return lhs + " " + op + matching + " " + Operand(Vector(depth + 1));
      }
      case 7: {  // vector op scalar, either way round
        std::string op = in_.Bool() ? std::string(PickOf(in_, kArithOps))
                                    : std::string(PickOf(in_, kCompareOps)) + (in_.Bool() ? " bool" : "");
        if (in_.Bool()) {
          std::string lhs = Operand(Scalar(depth + 1));
          return lhs + " " + op + " " + Operand(Vector(depth + 1));
        }
        std::string lhs = Operand(Vector(depth + 1));
        return lhs + " " + op + " " + Operand(Scalar(depth + 1));
      }
      case 8: return (in_.Bool() ? "-" : "") + Operand(Vector(depth + 1));
      default: return "vector(" + Scalar(depth + 1) + ")";
    }
  }

  ByteSource& in_;
  std::vector<const tsdb::promql::FunctionInfo*> vector_fns_, scalar_fns_;
};

// ---- evaluation and invariants ----

struct Times {
  int64_t instant = 0;
  int64_t start = 0, end = 0, step = 1;
};

constexpr int64_t kInstants[] = {0, 15 * kSec, 10 * kMin, 17 * kMin + 7 * kSec, kSpan, kSpan + 10 * kSec,
                                 40 * kMin, 2 * 60 * kMin, -kMin, 15 * kMin + 1};
constexpr int64_t kSteps[] = {15 * kSec, 30 * kSec, kMin, 7 * kSec, kSec, 5 * kMin};

Times PickTimes(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  constexpr size_t kN = sizeof kInstants / sizeof kInstants[0];
  Times t;
  t.instant = kInstants[a % kN];
  t.start = kInstants[b % kN];
  t.step = kSteps[c % (sizeof kSteps / sizeof kSteps[0])];
  int64_t steps = static_cast<int64_t>(d % 40);
  t.end = t.start + steps * t.step + static_cast<int64_t>((d / 40) % 3) * (t.step / 3);
  return t;
}

struct Case {
  std::string query;
  Times times;
  bool delayed_name_removal = false;
};

[[noreturn]] void Broken(const Case& c, const char* eval, std::string_view what) {
  std::fprintf(stderr,
               "\nINVARIANT BROKEN: %.*s\n  query: %s\n  %s; instant at %lld ms, range %lld..%lld step %lld ms; "
               "delayed_name_removal=%d\n",
               static_cast<int>(what.size()), what.data(), c.query.c_str(), eval,
               static_cast<long long>(c.times.instant), static_cast<long long>(c.times.start),
               static_cast<long long>(c.times.end), static_cast<long long>(c.times.step),
               c.delayed_name_removal ? 1 : 0);
  std::abort();
}

bool SameFloat(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

bool SameSeries(const tsdb::promql::Series& a, const tsdb::promql::Series& b) {
  if (a.metric != b.metric || a.floats.size() != b.floats.size()) return false;
  for (size_t i = 0; i < a.floats.size(); i++) {
    if (a.floats[i].t != b.floats[i].t || !SameFloat(a.floats[i].f, b.floats[i].f)) return false;
  }
  return a.histograms.size() == b.histograms.size();
}

// Empty when equal, else what differs.
std::string Diff(const QueryResult& a, const QueryResult& b) {
  if (a.type != b.type) return "result types differ";
  switch (a.type) {
    case ValueType::kScalar:
      if (a.scalar.t != b.scalar.t || !SameFloat(a.scalar.v, b.scalar.v)) return "scalars differ";
      return "";
    case ValueType::kString:
      if (a.string.t != b.string.t || a.string.v != b.string.v) return "strings differ";
      return "";
    case ValueType::kVector:
      if (a.vector.size() != b.vector.size()) return "vector sizes differ";
      for (size_t i = 0; i < a.vector.size(); i++) {
        const auto& x = a.vector[i];
        const auto& y = b.vector[i];
        if (x.metric != y.metric || x.t != y.t || !SameFloat(x.f, y.f)) {
          return "vector sample " + std::to_string(i) + " differs: " + x.metric.ToString() + " " +
                 std::to_string(x.f) + " vs " + y.metric.ToString() + " " + std::to_string(y.f);
        }
      }
      return "";
    case ValueType::kMatrix:
      if (a.matrix.size() != b.matrix.size()) return "matrix sizes differ";
      for (size_t i = 0; i < a.matrix.size(); i++) {
        if (!SameSeries(a.matrix[i], b.matrix[i])) return "matrix series " + a.matrix[i].metric.ToString() + " differs";
      }
      return "";
    case ValueType::kNone:
      return "";
  }
  return "";
}

void CheckSortedUnique(const Case& c, const char* eval, const tsdb::promql::Matrix& m) {
  for (size_t i = 1; i < m.size(); i++) {
    if (!(m[i - 1].metric < m[i].metric)) {
      Broken(c, eval, "matrix series not sorted or not unique: " + m[i - 1].metric.ToString() + " then " +
                          m[i].metric.ToString());
    }
  }
  for (const auto& s : m) {
    for (size_t i = 1; i < s.floats.size(); i++) {
      if (s.floats[i - 1].t >= s.floats[i].t) {
        Broken(c, eval, "points of " + s.metric.ToString() + " not strictly increasing in time at " +
                            std::to_string(s.floats[i].t));
      }
    }
  }
}

void CheckRange(const Case& c, const QueryResult& r) {
  const Times& t = c.times;
  if (r.type != ValueType::kMatrix) Broken(c, "range", "a range query did not give a matrix");
  CheckSortedUnique(c, "range", r.matrix);
  for (const auto& s : r.matrix) {
    if (s.floats.empty() && s.histograms.empty()) Broken(c, "range", "empty series " + s.metric.ToString());
    for (const auto& p : s.floats) {
      if (p.t < t.start || p.t > t.end || (p.t - t.start) % t.step != 0) {
        Broken(c, "range", "point of " + s.metric.ToString() + " at " + std::to_string(p.t) +
                               " is not a step of the query");
      }
    }
  }
}

void CheckInstant(const Case& c, const QueryResult& r) {
  switch (r.type) {
    case ValueType::kVector: {
      std::vector<const Labels*> seen;
      for (const auto& s : r.vector) {
        if (s.t != c.times.instant) Broken(c, "instant", "sample of " + s.metric.ToString() + " not at the query time");
        seen.push_back(&s.metric);
      }
      std::sort(seen.begin(), seen.end(), [](const Labels* a, const Labels* b) { return *a < *b; });
      for (size_t i = 1; i < seen.size(); i++) {
        if (*seen[i - 1] == *seen[i]) Broken(c, "instant", "duplicate label set " + seen[i]->ToString());
      }
      break;
    }
    case ValueType::kMatrix:
      CheckSortedUnique(c, "instant", r.matrix);
      break;
    case ValueType::kScalar:
      if (r.scalar.t != c.times.instant) Broken(c, "instant", "scalar not at the query time");
      break;
    case ValueType::kString:
    case ValueType::kNone:
      break;
  }
}

// Past the engine's timeout by this much, a query hangs.
constexpr auto kHang = std::chrono::seconds(5);

template <typename F>
tsdb::Result<QueryResult> Timed(const Case& c, const char* eval, F&& run) {
  auto begin = std::chrono::steady_clock::now();
  tsdb::Result<QueryResult> r = run();
  auto took = std::chrono::steady_clock::now() - begin;
  static const bool print = std::getenv("PROMQL_ENGINE_FUZZ_PRINT") != nullptr;
  if (print) {
    std::fprintf(stderr, "  %s: %lld ms, %s\n", eval,
                 static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()),
                 r.ok() ? "ok" : r.status().message().c_str());
  }
  if (took > kHang) Broken(c, eval, "evaluation ran far past its 1 s timeout");
  return r;
}

bool TimedOut(const tsdb::Result<QueryResult>& r) {
  return !r.ok() && r.status().code() == tsdb::Status::Code::kTimeout;
}

void CompareRoundTrip(const Case& c, const char* eval, const tsdb::Result<QueryResult>& orig,
                      const tsdb::Result<QueryResult>& again, const std::string& formatted) {
  if (TimedOut(orig) || TimedOut(again)) return;
  std::string what;
  if (orig.ok() != again.ok()) {
    what = "q " + std::string(orig.ok() ? "succeeds" : "fails (" + orig.status().message() + ")") +
           " but its canonical form " + (again.ok() ? "succeeds" : "fails (" + again.status().message() + ")");
  } else if (!orig.ok()) {
    if (orig.status().code() != again.status().code()) what = "q and its canonical form fail differently";
  } else {
    what = Diff(*orig, *again);
  }
  if (!what.empty()) Broken(c, eval, what + "; canonical form: " + formatted);
}

void Run(const Case& c) {
  const auto& store = TheStore();
  EngineOptions opt;
  opt.timeout = std::chrono::seconds(1);
  opt.max_samples = 100000;
  opt.parse.experimental_functions = true;
  opt.delayed_name_removal = c.delayed_name_removal;
  Engine engine(opt);

  auto parsed = tsdb::promql::ParseExpr(c.query, opt.parse);
  static const bool print = std::getenv("PROMQL_ENGINE_FUZZ_PRINT") != nullptr;
  if (!parsed.ok()) {
    if (print) std::fprintf(stderr, "  parse error: %s\n", parsed.status().message().c_str());
    return;
  }  // the parser's own fuzz target covers what fails to parse
  const tsdb::promql::Expr& expr = **parsed;
  const Times& t = c.times;

  auto instant = Timed(c, "instant", [&] { return engine.Eval(store, expr, c.query, t.instant, t.instant, 0, true); });
  if (instant.ok()) CheckInstant(c, *instant);

  bool rangeable = expr.type() == ValueType::kVector || expr.type() == ValueType::kScalar;
  tsdb::Result<QueryResult> range = tsdb::Status::InvalidArgument("not a range query");
  if (rangeable) {
    range = Timed(c, "range", [&] { return engine.Eval(store, expr, c.query, t.start, t.end, t.step, false); });
    if (range.ok()) CheckRange(c, *range);
  }

  std::string formatted = tsdb::promql::Format(expr);
  if (formatted == c.query) return;
  auto instant2 = Timed(c, "instant (canonical form)", [&] { return engine.Instant(store, formatted, t.instant); });
  CompareRoundTrip(c, "instant", instant, instant2, formatted);
  if (rangeable) {
    auto range2 = Timed(c, "range (canonical form)", [&] { return engine.Range(store, formatted, t.start, t.end, t.step); });
    CompareRoundTrip(c, "range", range, range2, formatted);
  }
}

uint64_t Fnv(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ULL;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  Case c;
  if (size > 0 && (data[0] < '\t' || data[0] >= 0x80)) {
    ByteSource in(data + 1, size - 1);
    uint8_t flags = in.Byte();
    c.delayed_name_removal = (flags & 1) != 0;
    c.times = PickTimes(in.Byte(), in.Byte(), in.Byte(), in.Byte());
    c.query = Generator(in).Top();
  } else {
    c.query.assign(reinterpret_cast<const char*>(data), size);
    uint64_t h = Fnv(c.query);
    c.delayed_name_removal = size > 0 && (data[size - 1] & 1) != 0;
    c.times = PickTimes(h, h >> 8, h >> 16, h >> 24);
  }
  static const bool print = std::getenv("PROMQL_ENGINE_FUZZ_PRINT") != nullptr;
  if (print) std::fprintf(stderr, "query: %s\n", c.query.c_str());
  Run(c);
  return 0;
}
