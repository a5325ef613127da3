// Format: Prometheus's String() of a syntax tree (promql/parser/printer.go).
//
// Where Prometheus's printer would write something its parser reads back
// differently, we keep the meaning instead: a grouping label spelled like a
// number (`inf`, `nan`) is quoted, and `by ()`, `on ()`/`ignoring ()` stay
// when the query wrote them (ast.h records that).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "model/labels.h"
#include "model/names.h"
#include "model/quoting.h"
#include "model/timeutil.h"
#include "promql/functions.h"
#include "promql/functions_internal.h"
#include "promql/parser.h"

namespace tsdb::promql {
namespace {

bool LexesAsNumber(std::string_view s) {
  if (s.size() != 3) return false;
  std::string lower;
  for (char c : s) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return lower == "inf" || lower == "nan";
}

void WriteLabels(const std::vector<std::string>& labels, std::string* out) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) *out += ", ";
    if (IsLegacyLabelName(labels[i]) && !LexesAsNumber(labels[i])) {
      *out += labels[i];
    } else {
      *out += GoQuote(labels[i]);
    }
  }
}

// " @ 100.000" with exact milliseconds (Go's %.3f of ms/1000 for every
// timestamp the parser accepts).
void WriteAt(AtModifier at, int64_t at_ms, std::string* out) {
  switch (at) {
    case AtModifier::kNone: return;
    case AtModifier::kStart: *out += " @ start()"; return;
    case AtModifier::kEnd: *out += " @ end()"; return;
    case AtModifier::kTimestamp: break;
  }
  *out += " @ ";
  uint64_t abs = at_ms < 0 ? 0 - static_cast<uint64_t>(at_ms) : static_cast<uint64_t>(at_ms);
  if (at_ms < 0) *out += '-';
  *out += std::to_string(abs / 1000);
  std::string frac = std::to_string(abs % 1000);
  *out += '.';
  out->append(3 - frac.size(), '0');
  *out += frac;
}

}  // namespace

// A constant inside a duration expression: a duration where it is a whole
// positive number of milliseconds, else seconds as a number.
static std::string DurationConstant(double seconds) {
  if (seconds < 0) return "-" + DurationConstant(-seconds);
  double ms = seconds * 1000;
  if (ms >= 1 && ms == std::floor(ms) && ms < 9e15) return FormatDuration(static_cast<int64_t>(ms));
  return FormatNumber(seconds);
}

// Prometheus's DurationExpr.String(): operators spaced, parentheses where
// the query wrote them.
std::string FormatDurationExpr(const DurationExpr& d) {
  std::string s = d.wrapped ? "(" : "";
  switch (d.op) {
    case DurationExpr::Op::kNumber: s += DurationConstant(d.seconds); break;
    case DurationExpr::Op::kStep: s += "step()"; break;
    case DurationExpr::Op::kRange: s += "range()"; break;
    case DurationExpr::Op::kMinOf: case DurationExpr::Op::kMaxOf:
      s += d.op == DurationExpr::Op::kMinOf ? "min_of(" : "max_of(";
      s += FormatDurationExpr(*d.lhs) + ", " + FormatDurationExpr(*d.rhs) + ")";
      break;
    case DurationExpr::Op::kNeg: s += "-" + FormatDurationExpr(*d.rhs); break;
    default: {
      const char* op = d.op == DurationExpr::Op::kAdd   ? " + "
                       : d.op == DurationExpr::Op::kSub ? " - "
                       : d.op == DurationExpr::Op::kMul ? " * "
                       : d.op == DurationExpr::Op::kDiv ? " / "
                       : d.op == DurationExpr::Op::kMod ? " % "
                                                        : " ^ ";
      s += FormatDurationExpr(*d.lhs) + op + FormatDurationExpr(*d.rhs);
    }
  }
  if (d.wrapped) s += ')';
  return s;
}

namespace {

std::string FormatRange(int64_t ms, const DurationExprPtr& expr) {
  return expr ? FormatDurationExpr(*expr) : FormatDuration(ms);
}

void WriteOffset(int64_t offset_ms, const DurationExprPtr& expr, std::string* out) {
  if (expr) {
    *out += " offset " + FormatDurationExpr(*expr);
  } else if (offset_ms > 0) {
    *out += " offset " + FormatDuration(offset_ms);
  } else if (offset_ms < 0) {
    *out += " offset -" + FormatDuration(-offset_ms);
  }
}

// The selector without its @ and offset.
void WriteSelector(const VectorSelector& vs, std::string* out) {
  std::vector<std::string> matchers;
  for (const Matcher& m : vs.matchers) {
    if (m.name() == kMetricNameLabel && m.type() == Matcher::Type::kEqual && m.value() == vs.name &&
        !m.value().empty()) {
      continue;
    }
    matchers.push_back(m.ToString());
  }
  std::sort(matchers.begin(), matchers.end());
  *out += vs.name;
  if (matchers.empty()) return;
  *out += '{';
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (i > 0) *out += ',';
    *out += matchers[i];
  }
  *out += '}';
}

void Write(const Expr& e, std::string* out);

void WriteMatching(const BinaryExpr& b, std::string* out) {
  if (!b.matching) return;
  const VectorMatching& vm = *b.matching;
  const bool grouped = vm.card == VectorMatching::Card::kManyToOne || vm.card == VectorMatching::Card::kOneToMany;
  if (!vm.labels.empty() || vm.on || grouped || vm.explicit_matching) {
    *out += vm.on ? " on (" : " ignoring (";
    WriteLabels(vm.labels, out);
    *out += ')';
  }
  if (grouped) {
    *out += vm.card == VectorMatching::Card::kManyToOne ? " group_left (" : " group_right (";
    WriteLabels(vm.include, out);
    *out += ')';
  }
  // Prometheus's %v of the values: ` fill (0)` when both sides have one value
  // (NaN never equals itself), else ` fill_left (v)` then ` fill_right (v)`.
  if (vm.fill_lhs && vm.fill_rhs && *vm.fill_lhs == *vm.fill_rhs) {
    *out += " fill (" + internal::GoFormatG(*vm.fill_lhs) + ")";
  } else {
    if (vm.fill_lhs) *out += " fill_left (" + internal::GoFormatG(*vm.fill_lhs) + ")";
    if (vm.fill_rhs) *out += " fill_right (" + internal::GoFormatG(*vm.fill_rhs) + ")";
  }
}

void Write(const Expr& e, std::string* out) {
  switch (e.kind) {
    case ExprKind::kNumber: *out += FormatNumber(As<NumberLiteral>(e).value); return;
    case ExprKind::kString: *out += GoQuote(As<StringLiteral>(e).value); return;
    case ExprKind::kParen:
      *out += '(';
      Write(*As<ParenExpr>(e).expr, out);
      *out += ')';
      return;
    case ExprKind::kUnary: {
      const auto& u = As<UnaryExpr>(e);
      *out += u.negate ? '-' : '+';
      Write(*u.expr, out);
      return;
    }
    case ExprKind::kBinary: {
      const auto& b = As<BinaryExpr>(e);
      if (b.op == BinOp::kPow && b.lhs->kind == ExprKind::kNumber) {
        // A sign before the left operand of ^ would read back as a unary
        // operator over the whole power: `+Inf ^ 2` is +(Inf ^ 2).
        double v = As<NumberLiteral>(*b.lhs).value;
        if (std::isinf(v) && v > 0) {
          *out += "Inf";
        } else if (std::signbit(v) && !std::isnan(v)) {
          *out += "(" + FormatNumber(v) + ")";
        } else {
          Write(*b.lhs, out);
        }
      } else {
        Write(*b.lhs, out);
      }
      *out += ' ';
      *out += BinOpName(b.op);
      if (b.return_bool) *out += " bool";
      WriteMatching(b, out);
      *out += ' ';
      Write(*b.rhs, out);
      return;
    }
    case ExprKind::kAggregate: {
      const auto& a = As<AggregateExpr>(e);
      *out += AggOpName(a.op);
      if (a.without || a.by || !a.grouping.empty()) {
        *out += a.without ? " without (" : " by (";
        WriteLabels(a.grouping, out);
        *out += ") ";
      }
      *out += '(';
      if (a.param) {
        Write(*a.param, out);
        *out += ", ";
      }
      Write(*a.expr, out);
      *out += ')';
      return;
    }
    case ExprKind::kCall: {
      const auto& c = As<Call>(e);
      *out += c.func ? std::string(c.func->name) : "<unknown>";
      *out += '(';
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) *out += ", ";
        Write(*c.args[i], out);
      }
      *out += ')';
      return;
    }
    case ExprKind::kVectorSelector: {
      const auto& vs = As<VectorSelector>(e);
      WriteSelector(vs, out);
      WriteAt(vs.at, vs.at_ms, out);
      WriteOffset(vs.offset_ms, vs.offset_expr, out);
      return;
    }
    case ExprKind::kMatrixSelector: {
      const auto& m = As<MatrixSelector>(e);
      const auto& vs = As<VectorSelector>(*m.vector_selector);
      WriteSelector(vs, out);
      *out += '[' + FormatRange(m.range_ms, m.range_expr) + ']';
      WriteAt(vs.at, vs.at_ms, out);
      WriteOffset(vs.offset_ms, vs.offset_expr, out);
      return;
    }
    case ExprKind::kSubquery: {
      const auto& s = As<SubqueryExpr>(e);
      Write(*s.expr, out);
      *out += '[' + FormatRange(s.range_ms, s.range_expr) + ':';
      if (s.step_ms != 0 || s.step_expr) *out += FormatRange(s.step_ms, s.step_expr);
      *out += ']';
      WriteAt(s.at, s.at_ms, out);
      WriteOffset(s.offset_ms, s.offset_expr, out);
      return;
    }
    case ExprKind::kStepInvariant:
      return;  // no node type in ast.h; the engine's wrapper prints as its child
  }
}

}  // namespace

std::string Format(const Expr& e) {
  std::string out;
  Write(e, &out);
  return out;
}

// Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that read
// back to v, written without an exponent (1e+100 becomes a 1 and 100 zeros).
std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  std::string out;
  if (!sci.empty() && sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e_at = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_at)) {
    if (c != '.') digits += c;
  }
  int exp = std::atoi(std::string(sci.substr(e_at + 1)).c_str());
  // value = 0.d1d2d3... * 10^(exp+1): the decimal point sits after `point` digits.
  int point = exp + 1;
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out += digits.substr(0, static_cast<size_t>(point));
    out += '.';
    out += digits.substr(static_cast<size_t>(point));
  }
  return out;
}

}  // namespace tsdb::promql
