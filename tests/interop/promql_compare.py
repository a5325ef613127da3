#!/usr/bin/env python3
"""PromQL interop against Prometheus 2.42: the data generator, the queries and
the comparison (used by promql_prometheus_test.sh; see the notes there).

  promql_compare.py gen FILE
      Writes the test data as Prometheus text with millisecond timestamps.
  promql_compare.py run --query BIN --db DIR --url URL [--jobs N] [--only SUBSTR]
      Runs every query through `BIN --db DIR --format json` and through
      Prometheus's /api/v1/query and /api/v1/query_range at URL, compares, and
      prints `promql interop: N passed, N failed` (exit 1 on any failure).

Timing rules (so that 2.x's closed ranges [t-r, t] and 3.x's left-open
ranges (t-r, t] select the same samples): every sample sits at x.7 s or x.3 s
(never on a whole second); every duration in a query (ranges, offsets,
subquery steps, range-query steps, the 5m lookback) is a multiple of 5 s; and
every evaluation time (instant --time, range --start, @ times) is 2 mod 5 s.
Then no sample is ever on a range or lookback boundary, and no subquery step
(aligned to multiples of its step, hence 0 mod 5 s) is ever on the start of
a subquery's range.
"""
import argparse
import concurrent.futures
import json
import math
import random
import subprocess
import sys
import re
import urllib.error
import urllib.parse
import urllib.request

T0 = 1700000000          # seconds; 0 mod 5 (2023-11-14T22:13:20Z)
HOURS = 4
END = T0 + HOURS * 3600  # the data ends just before this


# --------------------------------------------------------------------- data

def fmt_labels(labels):
    return ",".join(f'{k}="{v}"' for k, v in labels.items())


def gen(path):
    rnd = random.Random(42)
    lines = []

    def series(name, labels, values, offset_ms=3700, interval_ms=15000, start_ms=None, stop_ms=None):
        """values: a function of the sample index giving a float or a string."""
        base = T0 * 1000 + offset_ms if start_ms is None else start_ms
        end = END * 1000 if stop_ms is None else stop_ms
        i = 0
        lab = "{" + fmt_labels(labels) + "}" if labels else ""
        while True:
            t = base + i * interval_ms
            if t >= end:
                break
            v = values(i)
            if isinstance(v, float):
                v = "NaN" if math.isnan(v) else ("+Inf" if v == math.inf else ("-Inf" if v == -math.inf else repr(v)))
            lines.append(f"{name}{lab} {v} {t}")
            i += 1

    def counter(step_choices, reset_prob, start=0.0):
        vals = []
        cur = start

        def f(i):
            nonlocal cur
            while len(vals) <= i:
                if vals and rnd.random() < reset_prob:
                    cur = float(rnd.choice(step_choices))  # a reset: starts again near 0
                else:
                    cur += rnd.choice(step_choices)
                vals.append(cur)
            return vals[i]
        return f

    jobs = {"api": ["a:9100", "b:9100", "c:9100"], "web": ["a:9100", "b:9100"], "batch": ["x:9200"]}
    # up, build info (for group_left joins), open fds
    for job, insts in jobs.items():
        for n, inst in enumerate(insts):
            down_from = 400 + 100 * n if job == "web" else None
            series("up", {"job": job, "instance": inst},
                   lambda i, d=down_from: 0.0 if d is not None and d <= i < d + 40 else 1.0)
            series("build_info", {"job": job, "instance": inst, "version": f"1.{n}.0",
                                  "goversion": "go1.19" if n % 2 else "go1.20"}, lambda i: 1.0)
            series("process_open_fds", {"job": job, "instance": inst},
                   lambda i, b=rnd.randint(20, 200): float(b + (i * 7) % 23))
            # http requests: counters with resets (integers)
            for method in ("get", "post"):
                for status in ("200", "500"):
                    steps = [0, 1, 2, 3, 5, 8] if status == "200" else [0, 0, 0, 1]
                    series("http_requests_total", {"job": job, "instance": inst, "method": method, "status": status},
                           counter(steps, 0.004))
            # events: 8 types
            for typ in range(8):
                series("app_events_total", {"job": job, "instance": inst, "type": f"t{typ}"},
                       counter([0, 1, 1, 2, 4], 0.002), offset_ms=11300, interval_ms=30000)
            # classic histogram: cumulative buckets, _sum, _count, resetting together
            les = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"]
            bounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, math.inf]
            counts = [0] * len(les)
            hsum = [0.0]
            hist_vals = []
            for i in range(HOURS * 240):
                if i > 0 and rnd.random() < 0.003:
                    counts = [0] * len(les)
                    hsum[0] = 0.0
                for _ in range(rnd.randint(0, 6)):
                    obs = rnd.choice([0.03125, 0.0625, 0.125, 0.375, 0.75, 2.0, 4.0, 8.0]) * (2 if job == "batch" else 1)
                    for k, b in enumerate(bounds):
                        if obs <= b:
                            counts[k] += 1
                    hsum[0] += obs
                hist_vals.append((list(counts), hsum[0]))
            lbl = {"job": job, "instance": inst}
            for k, le in enumerate(les):
                series("request_duration_seconds_bucket", dict(lbl, le=le), lambda i, k=k: float(hist_vals[i][0][k]))
            series("request_duration_seconds_sum", lbl, lambda i: hist_vals[i][1])
            series("request_duration_seconds_count", lbl, lambda i: float(hist_vals[i][0][-1]))
    # node cpu: counters in quarter seconds
    for inst in ("n1:9100", "n2:9100", "n3:9100"):
        for cpu in ("0", "1"):
            for mode in ("idle", "user", "system", "iowait"):
                steps = {"idle": [10.0, 12.5, 14.75], "user": [1.5, 2.0, 3.25], "system": [0.25, 0.5, 1.0],
                         "iowait": [0.0, 0.0, 0.25]}[mode]
                series("node_cpu_seconds_total", {"job": "node", "instance": inst, "cpu": cpu, "mode": mode},
                       counter(steps, 0.0 if mode != "user" else 0.002, start=1000.0 * (int(cpu) + 1)))
        for dev in ("sda", "sdb", "nvme0", "tmpfs"):
            series("node_disk_free_bytes", {"job": "node", "instance": inst, "device": dev},
                   lambda i, b=rnd.randint(1, 500) * 1e9: b - (i % 97) * 4096.0)
    # gauges: temperatures below and above 0 (eighths), zeros
    for site in ("north", "south"):
        for sensor in range(10):
            phase = rnd.randint(0, 100)
            zero = sensor == 3
            series("temperature_celsius", {"job": "sensors", "site": site, "sensor": f"s{sensor}"},
                   lambda i, p=phase, z=zero, s=sensor: 0.0 if z else float(((i + p) % 80) - 30 - s) / 8,
                   offset_ms=3700 if site == "north" else 7300)
    # worker pools: small integer gauges
    for pool in ("p1", "p2", "p3", "p4", "p5"):
        for w in range(10):
            series("worker_busy", {"job": "workers", "pool": pool, "worker": f"w{w}"},
                   lambda i, w=w, pool=pool: float((i * (w + 1) + len(pool) * w) % 7 - 2))
    # odd values: NaN, +Inf, -Inf, zero now and then
    special = {0: math.nan, 1: math.inf, 2: -math.inf, 3: 0.0}
    for kind in ("a", "b", "c", "d", "e", "f"):
        k = ord(kind) - ord("a")
        series("weird_gauge", {"job": "weird", "kind": kind},
               lambda i, k=k: special[(i // 20 + k) % 4] if (i + k) % 20 == 0 else float((i % 13) - 6 + k) / 4)
    # series that stop and start
    series("ephemeral_gauge", {"job": "batch", "phase": "early"}, lambda i: float(i % 11), stop_ms=(T0 + 5400) * 1000)
    series("ephemeral_gauge", {"job": "batch", "phase": "late"}, lambda i: float(i % 5),
           start_ms=(T0 + 6000) * 1000 + 3700)
    series("ephemeral_gauge", {"job": "batch", "phase": "gap"}, lambda i: float(i % 3),
           stop_ms=(T0 + 3600) * 1000)
    series("ephemeral_gauge", {"job": "batch", "phase": "gap"}, lambda i: float(i % 3) + 10,
           start_ms=(T0 + 9000) * 1000 + 3700)
    # many-to-many: two series per group on both sides
    for g in ("g1", "g2"):
        for x in ("1", "2"):
            series("mm_left", {"group": g, "x": x}, lambda i, x=x: float(x))
            series("mm_right", {"group": g, "y": x}, lambda i, x=x: 10.0 * float(x))
    # same label set after the name is dropped
    for name in ("dup_a_total", "dup_b_total"):
        series(name, {"job": "dup", "instance": "z"}, counter([1, 2, 3], 0.0))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(lines)} samples", file=sys.stderr)


# --------------------------------------------------------------------- queries

TI = T0 + 7202              # instant queries: 2 mod 5, in the middle of the data
RS, RE, STEP = T0 + 3607, T0 + 3 * 3600 + 7, 300   # range queries: 2 mod 5 (7 mod 5)
# @ times in the queries: 1700005407 = T0 + 5407 (2 mod 5), start(), end()

# (query, flags) - flags: "i" instant only, "r" range only (default: both),
# "o" the order of an instant result matters.
QUERIES = [
    # literals, scalars, strings
    ("1", ""), ("-2.5", ""), ("1e3", ""), ("0x1F", ""), ("Inf", ""), ("-Inf", ""), ("NaN", ""),
    ('"hello"', "i"), ("2 * 3 + 4 ^ 2 ^ 0.5", ""), ("(1 + 2) * -3 % 4", ""), ("1 < bool 2", ""),
    ("2 == bool 2", ""), ("5 % -3", ""), ("-5 % 3", ""), ("2 ^ -1", ""), ("0 / 0", ""), ("1 / 0", ""),
    ("-1 / 0", ""), ("time()", ""), ("pi()", ""), ("scalar(sum(up))", ""), ("scalar(up)", ""),
    ("time() - 1700000000", ""), ("1 atan2 2", ""), ("vector(1)", ""), ("vector(time())", ""),
    ("sum(vector(3)) + 2", ""),
    # selectors
    ("up", ""), ('up{job="api"}', ""), ('up{job!="api"}', ""), ('up{job=~"a.*|w.b"}', ""),
    ('up{job!~"api|web"}', ""), ('{__name__=~"up|process_open_fds", job="web"}', ""),
    ('http_requests_total{status="500", method="post"}', ""), ("weird_gauge", ""), ("ephemeral_gauge", ""),
    ('http_requests_total{job="batch"}[5m]', "i"), ("weird_gauge[2m]", "i"),
    ('temperature_celsius{sensor="s1"}[1m] offset 5m', "i"), ('up{instance="a:9100"}[5m] @ 1700005407', "i"),
    ("up offset 10m", ""), ("up offset -10m", ""), ("temperature_celsius offset 1h", ""),
    ("up @ 1700005407", ""), ("up @ start()", "r"), ("up @ end()", "r"), ("up @ 1700005407 offset 5m", ""),
    # range-vector functions
    ("rate(http_requests_total[5m])", ""), ("rate(http_requests_total[1m])", ""),
    ("irate(http_requests_total[5m])", ""), ("increase(http_requests_total[10m])", ""),
    ("delta(temperature_celsius[10m])", ""), ("idelta(temperature_celsius[5m])", ""),
    ("deriv(temperature_celsius[10m])", ""), ("predict_linear(temperature_celsius[15m], 600)", ""),
    ("predict_linear(node_disk_free_bytes[30m], 3600)", ""),
    ("changes(up[30m])", ""), ("resets(http_requests_total[1h])", ""),
    ("avg_over_time(temperature_celsius[10m])", ""), ("min_over_time(worker_busy[5m])", ""),
    ("max_over_time(worker_busy[5m])", ""), ("sum_over_time(temperature_celsius[10m])", ""),
    ("count_over_time(ephemeral_gauge[10m])", ""), ("quantile_over_time(0.9, temperature_celsius[20m])", ""),
    ("quantile_over_time(0, worker_busy[10m])", ""), ("quantile_over_time(1.5, worker_busy[10m])", ""),
    ("quantile_over_time(-0.5, worker_busy[10m])", ""),
    ("stddev_over_time(temperature_celsius[15m])", ""), ("stdvar_over_time(worker_busy[15m])", ""),
    ("last_over_time(ephemeral_gauge[10m])", ""), ("present_over_time(ephemeral_gauge[10m])", ""),
    ("absent_over_time(ephemeral_gauge[10m])", ""), ('absent_over_time(nonexistent{job="x"}[5m])', ""),
    ('absent_over_time(ephemeral_gauge{phase="gap"}[10m])', ""),
    ("avg_over_time(weird_gauge[10m])", ""), ("sum_over_time(weird_gauge[5m])", ""),
    ("max_over_time(weird_gauge[10m])", ""), ("min_over_time(weird_gauge[10m])", ""),
    ("stddev_over_time(weird_gauge[10m])", ""), ("rate(weird_gauge[5m])", ""),
    ("delta(weird_gauge[5m])", ""), ("deriv(weird_gauge[5m])", ""),
    ("quantile_over_time(0.5, weird_gauge[10m])", ""),
    ("holt_winters(temperature_celsius[20m], 0.5, 0.3)", ""),
    ("holt_winters(node_disk_free_bytes[30m], 0.1, 0.9)", ""),
    ("rate(node_cpu_seconds_total[5m])", ""), ("increase(app_events_total[15m])", ""),
    ("rate(app_events_total[2m])", ""), ("irate(app_events_total[2m])", ""),
    ("rate(http_requests_total[5m] offset -30m)", ""), ("rate(http_requests_total[5m] @ 1700005407)", ""),
    ("rate(http_requests_total[5m] @ end())", "r"), ("max_over_time(temperature_celsius[10m] @ start() offset 10m)", "r"),
    ("timestamp(up)", ""), ("timestamp(up offset 5m)", ""), ("timestamp(up @ 1700005407)", ""),
    ("timestamp(rate(http_requests_total[5m]))", ""),
    # instant-vector functions
    ("abs(temperature_celsius)", ""), ("ceil(temperature_celsius)", ""), ("floor(temperature_celsius)", ""),
    ("round(temperature_celsius)", ""), ("round(temperature_celsius, 0.5)", ""), ("round(temperature_celsius, 3)", ""),
    ("sqrt(temperature_celsius)", ""), ("exp(temperature_celsius)", ""), ("ln(temperature_celsius)", ""),
    ("log2(worker_busy)", ""), ("log10(node_disk_free_bytes)", ""), ("sgn(temperature_celsius)", ""),
    ("clamp(temperature_celsius, -1, 2)", ""), ("clamp(temperature_celsius, 2, -1)", ""),
    ("clamp_max(temperature_celsius, 0)", ""), ("clamp_min(temperature_celsius, 0)", ""),
    ("sin(temperature_celsius)", ""), ("cos(temperature_celsius)", ""), ("tan(temperature_celsius)", ""),
    ("asin(temperature_celsius / 8)", ""), ("acos(temperature_celsius / 8)", ""), ("atan(temperature_celsius)", ""),
    ("sinh(temperature_celsius)", ""), ("cosh(temperature_celsius)", ""), ("tanh(temperature_celsius)", ""),
    ("asinh(temperature_celsius)", ""), ("acosh(temperature_celsius)", ""), ("atanh(temperature_celsius / 8)", ""),
    ("deg(temperature_celsius)", ""), ("rad(temperature_celsius)", ""),
    ("abs(weird_gauge)", ""), ("sqrt(weird_gauge)", ""), ("round(weird_gauge)", ""), ("sgn(weird_gauge)", ""),
    ("clamp(weird_gauge, -1, 1)", ""), ("exp(weird_gauge)", ""), ("ln(weird_gauge)", ""),
    ("hour()", ""), ("minute()", ""), ("month()", ""), ("year()", ""), ("day_of_month()", ""),
    ("day_of_week()", ""), ("day_of_year()", ""), ("days_in_month()", ""),
    ("hour(timestamp(up))", ""), ("minute(process_open_fds * 1e6)", ""),
    ("days_in_month(vector(1709251200))", ""), ("day_of_year(vector(1703980800))", ""),
    ("year(vector(-86400))", ""), ("month(timestamp(up @ 1700005407))", ""),
    ("absent(up)", ""), ('absent(nonexistent{job="x", instance=~"a.*"})', ""), ("absent(nonexistent)", ""),
    ('absent(up{job="api"} == 5)', ""), ("absent(sum(nonexistent))", ""),
    ('label_replace(up, "host", "$1", "instance", "(.*):.*")', ""),
    ('label_replace(up, "host", "$1", "instance", "nomatch(.*)")', ""),
    ('label_replace(up, "job", "", "job", ".*")', "e"),
    ('label_replace(up, "__name__", "renamed", "", "")', ""),
    ('label_replace(up, "x", "${1}-$2", "instance", "([a-z]+):([0-9]+)")', ""),
    ('label_join(up, "key", "/", "job", "instance")', ""),
    ('label_join(up, "key", "-")', ""), ('label_join(up, "job", ",", "instance", "missing", "job")', ""),
    ("sort(worker_busy)", "o"), ("sort_desc(temperature_celsius)", "o"), ("sort(weird_gauge)", "o"),
    ("sort_desc(weird_gauge)", "o"), ("sort(rate(http_requests_total[5m]))", "o"),
    ('histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))', ""),
    ('histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[10m])))', ""),
    ('histogram_quantile(0.99, sum by (job, le) (increase(request_duration_seconds_bucket[15m])))', ""),
    ('histogram_quantile(0, rate(request_duration_seconds_bucket[5m]))', ""),
    ('histogram_quantile(1, rate(request_duration_seconds_bucket[5m]))', ""),
    ('histogram_quantile(1.5, rate(request_duration_seconds_bucket[5m]))', ""),
    ('histogram_quantile(-1, rate(request_duration_seconds_bucket[5m]))', ""),
    ('histogram_quantile(0.9, request_duration_seconds_bucket{le!="+Inf"})', ""),
    ('histogram_quantile(0.75, request_duration_seconds_bucket)', ""),
    ("histogram_count(request_duration_seconds_count)", ""), ("histogram_sum(request_duration_seconds_sum)", ""),
    ("histogram_fraction(0, 0.25, request_duration_seconds_count)", ""),
    ("rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])", ""),
    # aggregations
    ("sum(http_requests_total)", ""), ("sum by (job) (rate(http_requests_total[5m]))", ""),
    ("sum without (instance, method) (rate(http_requests_total[5m]))", ""), ("sum by () (up)", ""),
    ("avg by (site) (temperature_celsius)", ""), ("avg(weird_gauge)", ""), ("sum(weird_gauge)", ""),
    ("avg by (job) (node_disk_free_bytes)", ""),
    ("count(up)", ""), ("count by (job) (up == 1)", ""), ("count without (cpu, mode) (node_cpu_seconds_total)", ""),
    ("min by (pool) (worker_busy)", ""), ("max without (worker) (worker_busy)", ""), ("min(weird_gauge)", ""),
    ("max(weird_gauge)", ""), ("group by (job) (up)", ""), ("group(http_requests_total)", ""),
    ("stddev by (site) (temperature_celsius)", ""), ("stdvar(worker_busy)", ""), ("stddev(weird_gauge)", ""),
    ("stdvar by (pool) (worker_busy)", ""),
    ("topk(3, temperature_celsius)", "ok"), ("bottomk(3, temperature_celsius)", "ok"),
    ("topk(2, rate(http_requests_total[5m]))", "ok"), ("topk by (site) (2, temperature_celsius)", "k"),
    ("bottomk without (worker) (1, worker_busy)", "k"), ("topk(3, weird_gauge)", "ok"),
    ("bottomk(2, weird_gauge)", "ok"), ("topk(1000, up)", "k"), ("topk(0, up)", "k"),
    ("topk(scalar(count(up)) - 4, process_open_fds)", "ok"),
    ("quantile(0.5, temperature_celsius)", ""), ("quantile by (pool) (0.25, worker_busy)", ""),
    ("quantile(1.5, worker_busy)", ""), ("quantile(-1, worker_busy)", ""), ("quantile(0.9, weird_gauge)", ""),
    ('count_values("value", worker_busy)', ""), ('count_values by (pool) ("v", worker_busy)', ""),
    ('count_values("v", temperature_celsius)', ""), ('count_values("v", weird_gauge)', ""),
    ("sum(sum by (job, instance) (rate(http_requests_total[5m])))", ""),
    ("max by (job) (sum by (job, instance) (rate(http_requests_total[5m])))", ""),
    ("count(count by (version) (build_info))", ""),
    ("sum by (__name__) ({__name__=~\"up|process_open_fds\"})", ""),
    # operators: arithmetic, vector/scalar both orders
    ("http_requests_total + 1", ""), ("1 - up", ""), ("temperature_celsius * -2", ""),
    ("2 / temperature_celsius", ""), ("temperature_celsius % 3", ""), ("-temperature_celsius % 3", ""),
    ("3 % temperature_celsius", ""), ("temperature_celsius ^ 2", ""), ("temperature_celsius ^ 0.5", ""),
    ("2 ^ worker_busy", ""), ("-temperature_celsius atan2 2", ""), ("1 atan2 abs(temperature_celsius)", ""),
    ("-temperature_celsius", ""), ("+up", ""), ("weird_gauge * 0", ""), ("weird_gauge / 0", ""),
    ("weird_gauge - weird_gauge", ""),
    # vector/vector matching
    ("request_duration_seconds_sum / request_duration_seconds_count", ""),
    ("rate(request_duration_seconds_sum[5m]) / ignoring (le) rate(request_duration_seconds_count[5m])", ""),
    ('request_duration_seconds_bucket / ignoring (le) group_left request_duration_seconds_count', ""),
    ('request_duration_seconds_count / on (job, instance) group_right request_duration_seconds_bucket', ""),
    ("up * on (job, instance) group_left (version, goversion) build_info", ""),
    ("rate(http_requests_total[5m]) * on (job, instance) group_left (version) build_info", ""),
    ("build_info * on (job, instance) group_right (version) up", ""),
    ("sum by (job) (up) / on (job) group_right up", ""),
    ("process_open_fds / on (job, instance) up", ""), ("process_open_fds - ignoring (version, goversion) build_info", ""),
    ("up + process_open_fds", ""), ("sum by (job) (process_open_fds) * on (job) group_right sum by (job, instance) (up)", ""),
    ("temperature_celsius atan2 on (site, sensor) temperature_celsius offset 5m", ""),
    ("worker_busy ^ ignoring (worker) group_left max by (job, pool) (worker_busy)", ""),
    # comparisons, with and without bool
    ("temperature_celsius > 0", ""), ("temperature_celsius >= 0", ""), ("temperature_celsius < bool 0", ""),
    ("0 < temperature_celsius", ""), ("0 > bool temperature_celsius", ""), ("worker_busy == 2", ""),
    ("worker_busy != bool 2", ""), ("worker_busy <= 0", ""), ("weird_gauge > 0", ""), ("weird_gauge == bool weird_gauge", ""),
    ("up == on (job, instance) group_left (version) build_info", ""),
    ("process_open_fds > on (job, instance) process_open_fds offset 10m", ""),
    ("process_open_fds >= bool ignoring (version, goversion) build_info * 100", ""),
    ("rate(http_requests_total[5m]) > 0.1", ""),
    # set operators
    ("up and process_open_fds > 100", ""), ("up and on (job) process_open_fds > 150", ""),
    ("up or vector(2)", ""), ("up == 0 or process_open_fds", ""), ('http_requests_total{status="500"} or http_requests_total', ""),
    ("up unless up == 0", ""), ("process_open_fds unless on (job) up == 0", ""),
    ("temperature_celsius unless on (sensor) temperature_celsius > 3", ""),
    ("(up == 0) or on (job) (up * 10)", ""), ("ephemeral_gauge or up", ""), ("ephemeral_gauge and on (job) up", ""),
    ("ephemeral_gauge unless ephemeral_gauge > 5", ""),
    # subqueries
    ("max_over_time(rate(http_requests_total[5m])[30m:1m])", ""),
    ("max_over_time(rate(http_requests_total[5m])[30m:])", ""),
    ("avg_over_time(temperature_celsius[10m:])", ""), ("min_over_time(sum by (job) (up)[1h:5m])", ""),
    ("rate(sum(http_requests_total)[10m:30s])", ""), ("deriv(sum by (site) (temperature_celsius)[20m:])", ""),
    ("min_over_time(max_over_time(temperature_celsius[10m5s:30s])[30m:2m])", ""),
    ("max_over_time(sum_over_time(rate(app_events_total[5m])[10m30s:1m])[20m:5m])", ""),
    ("avg_over_time(rate(http_requests_total[5m])[20m15s:1m])[1h:5m]", "i"),
    ("stddev_over_time(min_over_time(sum by (job) (process_open_fds)[5m5s:10s])[15m:30s])", ""),
    ("sum_over_time(up[10m:1m] offset 10m)", ""), ("sum_over_time(up[10m:1m] @ 1700005407)", ""),
    ("last_over_time(up[10m:1m] @ end())", "r"), ("count_over_time(vector(1)[5m:1m])", ""),
    ("avg_over_time(time()[10m:1m])", "e"), ("timestamp(up)[10m:1m]", "i"), ("up[10m:1m]", "i"),
    ("quantile_over_time(0.5, temperature_celsius[30m:45s])", ""),
    ("holt_winters(sum(temperature_celsius)[30m:1m], 0.3, 0.3)", ""),
    ("changes(max(up)[1h:1m])", ""), ("resets(sum(http_requests_total)[1h:])", ""),
    # functions on scalars
    ("vector(scalar(sum(up)))", ""), ("scalar(vector(5)) * 2", ""), ("abs(vector(-3))", ""),
    ("sort(vector(time()))", ""), ("timestamp(vector(1))", ""),
    # errors
    ("mm_left * on (group) mm_right", "e"), ("mm_left * on (group) group_left mm_right", "e"),
    ("mm_right * on (group) group_right mm_left", "e"), ('rate({__name__=~"dup_a_total|dup_b_total"}[5m])', "e"),
    ('{__name__=~"dup_a_total|dup_b_total"} * 2', "e"), ("mm_left + on (group) group_left (x) mm_right", "e"),
    ('label_replace(up, "job", "x", "", "")', "e"), ('sum by (job) (up) / on (job) up', "e"),
    ('rate(http_requests_total[5m]) / on (job) rate(http_requests_total[5m])', "e"),
    ('label_replace(up, "x", "$1", "instance", "(a")', "e"), ('"hello"', "re"), ("up[5m]", "re"),
    ("1 < 2", "e"), ("rate(up)", "e"), ("sum(up[5m])", "e"), ("foo(up)", "e"), ("up +", "e"),
    ("up and on (job) group_left up", "e"), ("up + on (job) group_left (job) up", "e"),
    ('{__name__=~".*"}', "e"), ("time() + up[5m]", "e"), ("rate(http_requests_total[5m] offset 1x)", "e"),
]


def our_query(q):
    return q.replace("holt_winters(", "double_exponential_smoothing(")


# --------------------------------------------------------------------- comparison

def to_float(s):
    return float(s)  # handles NaN, +Inf, -Inf


def same_value(a, b):
    x, y = to_float(a), to_float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    if x == y:
        return True
    if abs(x) < 1e-14 and abs(y) < 1e-14:
        # 2.42's avg and avg_over_time (incremental mean) and sum (plain) leave
        # rounding residue where 3.x's Kahan sums give the exact 0; every
        # non-zero true result here is far above 1e-14 (values are eighths).
        return True
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y))


def ms(t):
    return round(float(t) * 1000)


def key(metric):
    return json.dumps(sorted(metric.items()))


def value_key(v):
    f = to_float(v)
    return (1, 0.0) if math.isnan(f) else (0, f)


def compare_k(rp, ro, rt):
    """topk/bottomk: which of several equal values is kept depends on the heap
    code (2.44 changed it), so compare per timestamp the multiset of values, and
    the values of the series both kept."""
    diffs = []

    def points(result):
        out = {}
        for s in result:
            for p in ([s["value"]] if rt == "vector" else s["values"]):
                out.setdefault(ms(p[0]), {})[key(s["metric"])] = p[1]
        return out
    pp, po = points(rp), points(ro)
    for t in sorted(set(pp) | set(po)):
        a, b = pp.get(t, {}), po.get(t, {})
        va, vb = sorted(a.values(), key=value_key), sorted(b.values(), key=value_key)
        if len(va) != len(vb) or not all(same_value(x, y) for x, y in zip(va, vb)):
            diffs.append(f"@ {t / 1000}: values prometheus {va[:10]} ours {vb[:10]}")
            break
        for k in set(a) & set(b):
            if not same_value(a[k], b[k]):
                diffs.append(f"{k} @ {t / 1000}: prometheus {a[k]} ours {b[k]}")
                break
    return diffs


def compare(data_p, data_o, ordered, ties=False):
    """Returns a list of differences (empty when equal)."""
    diffs = []
    if data_p["resultType"] != data_o["resultType"]:
        return [f"resultType: prometheus {data_p['resultType']}, ours {data_o['resultType']}"]
    rt = data_p["resultType"]
    rp, ro = data_p["result"], data_o["result"]
    if rt in ("scalar", "string"):
        if ms(rp[0]) != ms(ro[0]):
            diffs.append(f"time {rp[0]} vs {ro[0]}")
        if rt == "string" and rp[1] != ro[1] or rt == "scalar" and not same_value(rp[1], ro[1]):
            diffs.append(f"value {rp[1]!r} vs {ro[1]!r}")
        return diffs
    if ties and rt in ("vector", "matrix"):
        diffs = compare_k(rp, ro, rt)
        rp = ro = []  # only the order check below
    mp = {key(s["metric"]): s for s in rp}
    mo = {key(s["metric"]): s for s in ro}
    if len(mp) != len(rp) or len(mo) != len(ro):
        diffs.append(f"duplicate series in a result (prometheus {len(rp)}/{len(mp)}, ours {len(ro)}/{len(mo)})")
    for k in sorted(set(mp) - set(mo)):
        diffs.append(f"only in prometheus: {k} {json.dumps(mp[k].get('value', mp[k].get('values')))[:200]}")
    for k in sorted(set(mo) - set(mp)):
        diffs.append(f"only in ours: {k} {json.dumps(mo[k].get('value', mo[k].get('values')))[:200]}")
    for k in sorted(set(mp) & set(mo)):
        if rt == "vector":
            pp, po = [mp[k]["value"]], [mo[k]["value"]]
        else:
            pp, po = mp[k]["values"], mo[k]["values"]
        tp, to = [ms(p[0]) for p in pp], [ms(p[0]) for p in po]
        if tp != to:
            diffs.append(f"{k}: timestamps differ: prometheus {sorted(set(tp) - set(to))[:5]} only, "
                         f"ours {sorted(set(to) - set(tp))[:5]} only")
            continue
        for a, b in zip(pp, po):
            if not same_value(a[1], b[1]):
                diffs.append(f"{k} @ {a[0]}: prometheus {a[1]} ours {b[1]}")
                break
    if ordered and rt == "vector" and not diffs:
        vp = [s["value"][1] for s in data_p["result"]]
        vo = [s["value"][1] for s in data_o["result"]]
        if len(vp) != len(vo) or not all(same_value(a, b) for a, b in zip(vp, vo)):
            diffs.append(f"order differs: prometheus {vp[:10]} ours {vo[:10]}")
    return diffs


def prometheus(url, kind, q):
    if kind == "i":
        path, params = "/api/v1/query", {"query": q, "time": str(TI)}
    else:
        path, params = "/api/v1/query_range", {"query": q, "start": str(RS), "end": str(RE), "step": str(STEP)}
    body = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(url + path, data=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def ours(binary, db, kind, q):
    cmd = [binary, "--db", db, "--format", "json", "--log.format", "json", "-q"]
    if "double_exponential_smoothing" in q:
        cmd += ["--enable-feature", "promql-experimental-functions"]
    if kind == "i":
        cmd += ["instant", "--time", str(TI), "--", q]
    else:
        cmd += ["range", "--start", str(RS), "--end", str(RE), "--step", str(STEP), "--", q]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode == 0:
        return {"status": "success", "data": json.loads(p.stdout)}
    msgs = []
    for line in p.stderr.splitlines():
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get("level") == "error":
            msgs.append(j.get("msg", ""))
    return {"status": "error", "error": "\n".join(msgs) or p.stderr.strip(), "rc": p.returncode}


# The many-to-many error names two series. 2.42 prints them in the order it
# met them ([later, earlier]); Prometheus 3.x sorts them ascending so that the
# message is the same every run (promql/engine.go, "Make the error message
# consistent between runs"), and its operators.test expects that order, which
# we follow. Everything else in the message must match.
PAIR = re.compile(r"\[(\{.*?\}), (\{.*?\})\];many-to-many")


def same_pair_in_other_order(prom, ours):
    m = PAIR.search(prom)
    if not m:
        return False
    swapped = prom[:m.start()] + "[" + m.group(2) + ", " + m.group(1) + "];many-to-many" + prom[m.end():]
    return swapped == ours


def run_one(args, kind, q, flags):
    p = prometheus(args.url, kind, q)
    o = ours(args.query, args.db, kind, our_query(q))
    what = f"{'instant' if kind == 'i' else 'range'} {q}"
    if p["status"] != "success":
        # The API puts parse errors in its own wrapping; the engine's message follows.
        p["error"] = p["error"].removeprefix('invalid parameter "query": ')
    if p["status"] != "success" or o["status"] != "success":
        if p["status"] == o["status"]:
            if "e" not in flags:
                return False, what, f"both failed, but this query should not:\n    prometheus: {p['error']}", ""
            if p["error"] == o["error"] or same_pair_in_other_order(p["error"], o["error"]):
                return True, what, "", ""
            return False, what, f"error messages differ:\n    prometheus: {p['error']}\n    ours:       {o['error']}", ""
        detail = (f"prometheus: {p.get('error') or json.dumps(p['data'])[:400]}\n"
                  f"    ours: {o.get('error') or json.dumps(o['data'])[:400]}")
        return False, what, f"one side failed:\n    {detail}", ""
    if "e" in flags:
        return False, what, "expected both to fail, both succeeded", ""
    diffs = compare(p["data"], o["data"], "o" in flags and kind == "i", "k" in flags)
    if diffs:
        return False, what, "\n    ".join(diffs[:8]), json.dumps(p["data"])[:600] + "\n    ours: " + json.dumps(o["data"])[:600]
    return True, what, "", ""


def run(args):
    todo = []
    seen = set()
    for q, flags in QUERIES:
        if (q, flags) in seen:
            print(f"duplicate query in the list: {q}", file=sys.stderr)
        seen.add((q, flags))
        if args.only and args.only not in q:
            continue
        kinds = ["i", "r"]
        if "i" in flags and "r" not in flags:
            kinds = ["i"]
        elif "r" in flags and "i" not in flags:
            kinds = ["r"]
        for k in kinds:
            todo.append((k, q, flags))
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for ok, what, why, outs in ex.map(lambda t: run_one(args, *t), todo):
            if ok:
                passed += 1
                if args.verbose:
                    print(f"ok   {what}")
            else:
                failed += 1
                print(f"FAIL {what}\n    {why}")
                if outs:
                    print(f"    prometheus: {outs}")
    print(f"promql interop: {len(seen)} queries, {len(todo)} evaluations")
    print(f"promql interop: {passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("file")
    r = sub.add_parser("run")
    r.add_argument("--query", required=True)
    r.add_argument("--db", required=True)
    r.add_argument("--url", required=True)
    r.add_argument("--jobs", type=int, default=3)
    r.add_argument("--only", default="")
    r.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.cmd == "gen":
        gen(a.file)
        return 0
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
