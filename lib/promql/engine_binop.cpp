// Binary operators: scalar/scalar, vector/scalar and vector/vector with
// on/ignoring matching, group_left/group_right, bool, the experimental
// fill/fill_left/fill_right modifiers, and the set operators.
#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "promql/evaluator.h"

namespace tsdb::promql {

namespace {

struct ElemResult {
  double value;
  bool keep;
};

// One pair of values: arithmetic keeps the result, a comparison keeps the
// left value when it holds.
ElemResult ElemBinop(BinOp op, double l, double r) {
  switch (op) {
    case BinOp::kAdd: return {l + r, true};
    case BinOp::kSub: return {l - r, true};
    case BinOp::kMul: return {l * r, true};
    case BinOp::kDiv: return {l / r, true};
    case BinOp::kPow: return {std::pow(l, r), true};
    case BinOp::kMod: return {std::fmod(l, r), true};
    case BinOp::kAtan2: return {std::atan2(l, r), true};
    case BinOp::kEql: return {l, l == r};
    case BinOp::kNeq: return {l, l != r};
    case BinOp::kGtr: return {l, l > r};
    case BinOp::kLss: return {l, l < r};
    case BinOp::kGte: return {l, l >= r};
    case BinOp::kLte: return {l, l <= r};
    case BinOp::kAnd: case BinOp::kOr: case BinOp::kUnless: break;
  }
  return {0, false};
}

double ScalarBinop(BinOp op, double l, double r) {
  ElemResult e = ElemBinop(op, l, r);
  if (IsComparison(op)) return e.keep ? 1 : 0;
  return e.value;
}

// The matching key of a label set: the `on` labels, or everything but the
// `ignoring` labels and __name__, as bytes name\xffvalue\xff...
class Signature {
 public:
  explicit Signature(const std::optional<VectorMatching>& m) {
    if (m) {
      on_ = m->on;
      names_ = m->labels;
    }
  }
  std::string operator()(const Labels& l) const {
    std::string key;
    if (on_) {
      for (const Label& x : l) {
        if (Listed(x.name)) Append(key, x);
      }
    } else {
      for (const Label& x : l) {
        if (x.name != kMetricNameLabel && !Listed(x.name)) Append(key, x);
      }
    }
    return key;
  }

 private:
  bool Listed(const std::string& n) const {
    for (const std::string& s : names_) {
      if (s == n) return true;
    }
    return false;
  }
  static void Append(std::string& key, const Label& x) {
    key += x.name;
    key += '\xff';
    key += x.value;
    key += '\xff';
  }
  bool on_ = false;
  std::vector<std::string> names_;
};

// The labels `on`/`ignoring` match on, as Prometheus prints them in the
// many-to-many error.
Labels MatchLabels(const Labels& l, const VectorMatching& m) {
  LabelsBuilder b;
  for (const Label& x : l) {
    bool listed = std::find(m.labels.begin(), m.labels.end(), x.name) != m.labels.end();
    if (m.on ? listed : (!listed && x.name != kMetricNameLabel)) b.Set(x.name, x.value);
  }
  return b.Build();
}

}  // namespace

Matrix Evaluator::EvalBinary(const BinaryExpr& e) {
  const ValueType lt = e.lhs->type(), rt = e.rhs->type();
  Matrix lhs = EvalSteps(*e.lhs);
  Matrix rhs = EvalSteps(*e.rhs);
  std::vector<const Matrix*> args{&lhs, &rhs};
  const BinOp op = e.op;
  const bool drop_for_op = ShouldDropMetricName(op);

  if (lt == ValueType::kScalar && rt == ValueType::kScalar) {
    return RangeEval(args, [&](int64_t ts, std::vector<Vector>& v, Vector& out) {
      double l = v[0].empty() ? std::nan("") : v[0][0].f;
      double r = v[1].empty() ? std::nan("") : v[1][0].f;
      out.push_back(Sample{Labels(), ts, ScalarBinop(op, l, r), nullptr, false});
    });
  }

  if (lt == ValueType::kVector && rt == ValueType::kVector) {
    Signature sig(e.matching);
    const VectorMatching matching = e.matching ? *e.matching : VectorMatching{};
    Matrix m = RangeEval(args, [&](int64_t, std::vector<Vector>& v, Vector& out) {
      Vector& l = v[0];
      Vector& r = v[1];
      switch (op) {
        case BinOp::kAnd: {
          if (l.empty() || r.empty()) return;
          std::unordered_set<std::string> right;
          for (const Sample& s : r) right.insert(sig(s.metric));
          for (Sample& s : l) {
            if (right.count(sig(s.metric)) != 0) out.push_back(std::move(s));
          }
          return;
        }
        case BinOp::kOr: {
          std::unordered_set<std::string> left;
          for (Sample& s : l) {
            left.insert(sig(s.metric));
            out.push_back(std::move(s));
          }
          for (Sample& s : r) {
            if (left.count(sig(s.metric)) == 0) out.push_back(std::move(s));
          }
          return;
        }
        case BinOp::kUnless: {
          if (r.empty()) {
            for (Sample& s : l) out.push_back(std::move(s));
            return;
          }
          std::unordered_set<std::string> right;
          for (const Sample& s : r) right.insert(sig(s.metric));
          for (Sample& s : l) {
            if (right.count(sig(s.metric)) == 0) out.push_back(std::move(s));
          }
          return;
        }
        default: break;
      }
      // Nothing can match; with a fill value, one side alone still gives results.
      const bool fills = matching.fill_lhs || matching.fill_rhs;
      if ((l.empty() && r.empty()) || ((l.empty() || r.empty()) && !fills)) return;
      // As Prometheus: group_right swaps the sides, so that `many` is matched
      // against the unique `one`; values swap back for the operation.
      const bool one_to_many = matching.card == VectorMatching::Card::kOneToMany;
      Vector* many = &l;
      Vector* one = &r;
      if (one_to_many) std::swap(many, one);
      std::unordered_map<std::string, const Sample*> one_side;
      for (const Sample& s : *one) {
        std::string key = sig(s.metric);
        auto [it, inserted] = one_side.emplace(key, &s);
        if (!inserted) {
          // The two series in a fixed order, so the message is the same every run.
          std::string a = s.metric.ToString(), b = it->second->metric.ToString();
          if (a > b) std::swap(a, b);
          Fail(Status::Execution("found duplicate series for the match group " +
                                 MatchLabels(s.metric, matching).ToString() + " on the " +
                                 (one_to_many ? "left" : "right") + " hand-side of the operation: [" + a + ", " + b +
                                 "];many-to-many matching not allowed: matching labels must be unique on one side"));
        }
      }
      std::unordered_set<std::string> matched_one_to_one;
      std::unordered_map<std::string, std::unordered_set<std::string>> matched_many;
      // One pair: `ls` from the many side, `rs` from the one side (either may
      // be a fill-in carrying only the other's matching labels).
      auto pair = [&](const Sample& ls, const Sample& rs, const std::string& key) {
        double fl = ls.f, fr = rs.f;
        if (one_to_many) std::swap(fl, fr);
        ElemResult res = ElemBinop(op, fl, fr);
        if (e.return_bool) res.value = res.keep ? 1 : 0;

        // The result's labels: the "many" side's, less __name__ for
        // arithmetic, narrowed to the matching labels for one-to-one, plus
        // the group_x labels taken from the "one" side.
        LabelsBuilder b(ls.metric);
        if (drop_for_op || (e.return_bool && !cfg_.delayed_name_removal)) DelMetricName(b);
        if (matching.card == VectorMatching::Card::kOneToOne) {
          if (matching.on) {
            LabelsBuilder kept;
            for (const std::string& n : matching.labels) {
              std::string_view val = b.Get(n);
              if (!val.empty()) kept.Set(n, val);
            }
            b = kept;
          } else {
            for (const std::string& n : matching.labels) b.Del(n);
          }
        }
        for (const std::string& n : matching.include) {
          std::string_view val = rs.metric.Get(n);
          if (!val.empty()) {
            b.Set(n, val);
          } else {
            b.Del(n);
          }
        }
        Labels metric = b.Build();
        if (matching.card == VectorMatching::Card::kOneToOne) {
          if (!matched_one_to_one.insert(key).second) {
            Fail(Status::Execution(
                "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"));
          }
        } else {
          std::string metric_key;
          for (const Label& x : metric) {
            metric_key += x.name;
            metric_key += '\xff';
            metric_key += x.value;
            metric_key += '\xff';
          }
          if (!matched_many[key].insert(std::move(metric_key)).second) {
            Fail(Status::Execution("multiple matches for labels: grouping labels must ensure unique matches"));
          }
        }
        if (!res.keep && !e.return_bool) return;
        bool drop_name = e.return_bool && cfg_.delayed_name_removal;
        out.push_back(Sample{std::move(metric), 0, res.value, nullptr, drop_name});
      };
      for (const Sample& ls : *many) {
        std::string key = sig(ls.metric);
        auto it = one_side.find(key);
        if (it != one_side.end()) {
          pair(ls, *it->second, key);
        } else if (matching.fill_rhs) {
          pair(ls, Sample{MatchLabels(ls.metric, matching), 0, *matching.fill_rhs, nullptr, false}, key);
        }
      }
      // A "one" side series that nothing matched pairs with a fill-in for
      // the many side.
      if (matching.fill_lhs) {
        for (const Sample& rs : *one) {
          std::string key = sig(rs.metric);
          if (matched_one_to_one.count(key) != 0 || matched_many.count(key) != 0) continue;
          pair(Sample{MatchLabels(rs.metric, matching), 0, *matching.fill_lhs, nullptr, false}, rs, key);
        }
      }
    });
    return m;
  }

  // Vector and scalar, in either order.
  const bool swap = lt == ValueType::kScalar;
  if (swap) std::swap(args[0], args[1]);
  Matrix m = RangeEval(args, [&](int64_t, std::vector<Vector>& v, Vector& out) {
    double scalar = v[1].empty() ? std::nan("") : v[1][0].f;
    for (Sample& s : v[0]) {
      double l = s.f, r = scalar;
      if (swap) std::swap(l, r);
      ElemResult res = ElemBinop(op, l, r);
      // A comparison keeps the vector's value even when the scalar is on the left.
      if (IsComparison(op) && swap) res.value = r;
      if (e.return_bool) {
        res.value = res.keep ? 1 : 0;
        res.keep = true;
      }
      if (!res.keep) continue;
      s.f = res.value;
      if (drop_for_op || e.return_bool) DropName(s.metric, s.drop_name);
      out.push_back(std::move(s));
    }
  });
  return m;
}

}  // namespace tsdb::promql
