#!/usr/bin/env bash
# ctest-cost: 25 (seconds on 2 cores, 2026-12-02)
# Interop: the PromQL engine (`tsdb-query --format json`) against Debian's
# prometheus 2.42 on the same data.
#
#   bash promql_prometheus_test.sh BUILD_DIR SOURCE_DIR
#
# promql_compare.py generates 4 h of data (~270 series, 15 s and 30 s
# scrapes): counters with resets, gauges with negatives, zeros, NaN and +-Inf,
# series that stop and start, classic histograms, several jobs, instances and
# info labels, a many-to-many pair and a pair that collides once the name is
# dropped. `tsdb-scrape --db` imports it; prometheus serves a copy (it
# compacts what it serves). Every query (over 300: every 2.42 function for
# floats, every aggregation, every operator with on/ignoring/group_left/
# group_right/bool, offset, @ with start()/end(), subqueries with and without
# a step and nested, literals, scalars, strings, errors) runs as an instant
# query and as a range query where it can, through `tsdb-query --db DIR
# --format json` and Prometheus's /api/v1/query and /api/v1/query_range. Both
# must give the same resultType, series, timestamps and values (1e-12
# relative; NaN equals NaN; +-Inf exact), in the same order where the query
# defines one (sort, sort_desc, topk/bottomk in instant queries); or both must
# fail with the same message (Prometheus's `error`, our error log line).
#
# Prometheus 2.x -> 3.x differences (our engine has 3.x semantics), and how
# this test avoids them:
#  - Range selectors and the lookback delta are left-open in 3.0 ((t-r, t]
#    instead of [t-r, t], #13904), and so are subqueries (#15431): every sample
#    sits at x.7 s or x.3 s, every duration in a query is a multiple of 5 s,
#    every evaluation time (--time, --start, @) is 2 mod 5 s, and an inner
#    subquery's range is never a multiple of gcd(outer step, inner step)
#    (e.g. [10m5s:30s] under [30m:2m]); so no sample or subquery step ever sits
#    on a range's start, and both select the same points.
#  - holt_winters is double_exponential_smoothing in 3.0, behind
#    promql-experimental-functions (#14930): we run holt_winters(...) on
#    Prometheus and double_exponential_smoothing(...) with that flag on ours.
#  - 3.x-only or experimental functions are not queried: limitk, limit_ratio,
#    sort_by_label(_desc), mad_over_time, info, first_over_time, ts_of_*,
#    histogram_stddev/stdvar/quantiles, duration expressions, fill modifiers,
#    anchored/smoothed selectors; nor 3.x syntax (UTF-8 quoted names, number
#    literals with underscores, durations as numbers).
#  - atan2 drops the metric name since 2.47 (531567d46e): vector atan2 scalar
#    is queried on inputs that already have no name.
#  - histogram_fraction works on classic (le) buckets since 3.4 (#16095); 2.42
#    only answers for native histograms: it is queried on a series without le
#    (both empty), never on *_bucket.
#  - Label names may be any UTF-8 in 3.x (label_replace #15974, count_values):
#    no query uses an invalid label name, which 2.42 rejects.
#  - topk/bottomk keep a different one of several equal values since 2.44
#    (Fix instead of Pop+Push, #12190): their results are compared per
#    timestamp as the multiset of values (plus the values of the series both
#    keep), and in instant queries as the order of values.
#  - 3.x sums with Kahan compensation (sum #14074, avg/avg_over_time #14413,
#    #16569): the data's values are eighths so sums are exact, and where 2.42's
#    incremental mean leaves a residue below 1e-14 against an exact 0 the
#    values count as equal.
#  - 3.x evaluates topk/quantile parameters per step (#16404) and rejects a
#    NaN k (#16725): parameters here are constant and not NaN.
#  - 3.0's regex `.` matches newlines: no label value has a newline.
#  - The many-to-many error names its two series in the order 2.42 met them;
#    3.x sorts them ascending (and its operators.test expects that), as we
#    do: the messages must match with the pair in either order.
#  - Prometheus's API prefixes parse errors with `invalid parameter "query": `;
#    that prefix is removed before comparing.
#  - Error messages that list series in an order that 2.42 takes from a Go map
#    (aggregation outputs) are not compared; the many-to-many cases use
#    selectors and rate() (sorted input) on the duplicated side.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd) || exit 1
SOURCE_DIR=$(cd "$SOURCE_DIR" && pwd) || exit 1
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init promql_prometheus

need_cmd prometheus
need_cmd curl
need_cmd python3
QUERY=$BUILD_DIR/tsdb-query
SCRAPE=$BUILD_DIR/tsdb-scrape
need_exe "$QUERY"
need_exe "$SCRAPE"
COMPARE=$SOURCE_DIR/tests/interop/promql_compare.py
cd "$TMP" || fail "cd $TMP"

# ------------------------------------------------------------------ data
timeout 120 python3 "$COMPARE" gen data.prom || fail "generating the data"
timeout 120 "$SCRAPE" --quiet --db data data.prom || fail "tsdb-scrape --db data data.prom"
cp -r data served || fail "copying the data directory"
pass "imported $(wc -l <data.prom) samples with tsdb-scrape --db; prometheus serves a copy"

# ------------------------------------------------------------------ prometheus
printf 'global:\n  scrape_interval: 1h\n  evaluation_interval: 1m\n' >prometheus.yml
port=$(free_port)
start_server prometheus.log prometheus --config.file=prometheus.yml --storage.tsdb.path=served \
  --storage.tsdb.retention.time=10y --web.listen-address="127.0.0.1:$port"
pid=$SERVER_PID
wait_http "http://127.0.0.1:$port/-/ready" 60 "$pid"

# ------------------------------------------------------------------ queries
# Prints "promql interop: N passed, N failed"; exits 1 on any failure.
timeout 300 python3 "$COMPARE" run --query "$QUERY" --db data --url "http://127.0.0.1:$port" --jobs 3
rc=$?
stop_server "$pid"
[ "$rc" -eq 0 ] || fail "tsdb-query and prometheus 2.42 differ (see above)"
pass "tsdb-query and prometheus 2.42 agree on every query"
note "done in $SECONDS s"
