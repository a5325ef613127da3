#!/usr/bin/env bash
# ctest-cost: 36 (seconds on 2 cores, 2026-11-23)
# Interop: tsdb-scrape scrapes as a real Prometheus (Debian's 2.42) does.
#
#   bash scrape_node_exporter_test.sh BUILD_DIR SOURCE_DIR
#
# 1. Starts Debian's prometheus-node-exporter on 127.0.0.1, then ONE
#    prometheus and `tsdb-scrape --config` with the same configuration
#    (job "node", scrape_interval 1s, the exporter, plus a refused target so
#    up 0 is compared too), text on stdout. After ~30 s tsdb-scrape is
#    stopped (SIGTERM must exit 0) and, over a common window [A, B] of the
#    run (where both scraped, a second inside both ends; Prometheus starts
#    scraping up to 5 s after it is ready):
#      - the set of series (all labels, up and scrape_* included) in our
#        output must equal what Prometheus's /api/v1/series returns for
#        {job="node"} over [A, B]. The only series excused are those whose
#        existence varies from one scrape to the next in the exporter
#        itself, found by diffing two direct scrapes of the exporter (none
#        expected; any is listed in the log);
#      - every series must have the same number of samples in [A, B] in both,
#        give or take one (the two scrape on different phases);
#      - the report series must agree: up per target, and
#        scrape_samples_scraped within the exporter's own variation.
# 2. Horizontal split: two `tsdb-scrape --once` workers with the shape of
#    reference/configs/hashmod-worker.yml (file_sd with 20 targets on
#    127.0.0.1, hashmod modulus 2 on __address__, keep ^0$ or ^1$,
#    external_labels worker: K). The targets are down; the up series show
#    which worker scraped which target, and the split must be exactly the
#    one `tsdb-hashmod-shard --modulus 2` predicts; every line carries the
#    worker's external label.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init scrape_node_exporter

need_cmd prometheus
need_cmd prometheus-node-exporter
need_cmd curl
need_cmd python3
SCRAPE=$BUILD_DIR/tsdb-scrape
SHARD=$BUILD_DIR/tsdb-hashmod-shard
need_exe "$SCRAPE"
need_exe "$SHARD"
RUN_SECONDS=${RUN_SECONDS:-30}

# ------------------------------------------------------------ 1. node exporter
NE_PORT=$(free_port)
# Collectors that only report what a container may lack are off, so that the
# exporter's output is stable; the rest are the defaults.
start_server "$TMP/node_exporter.log" prometheus-node-exporter \
  --web.listen-address="127.0.0.1:$NE_PORT" \
  --collector.textfile.directory="$TMP/textfile" \
  --no-collector.hwmon --no-collector.thermal_zone --no-collector.rapl --no-collector.powersupplyclass
NE_PID=$SERVER_PID
mkdir -p "$TMP/textfile"
wait_http "http://127.0.0.1:$NE_PORT/metrics" 20 "$NE_PID"
pass "node exporter up on 127.0.0.1:$NE_PORT"

# Series whose existence varies between two scrapes of the exporter itself.
http_get "http://127.0.0.1:$NE_PORT/metrics" >"$TMP/direct1.prom" || fail "scraping the exporter"
sleep 1.5
http_get "http://127.0.0.1:$NE_PORT/metrics" >"$TMP/direct2.prom" || fail "scraping the exporter"
python3 - "$TMP/direct1.prom" "$TMP/direct2.prom" >"$TMP/varying.txt" <<'EOF' || fail "comparing direct scrapes"
import sys
def series(path):
    out = set()
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        out.add(line.rsplit(" ", 1)[0] if line.count(" ") else line)
    return out
a, b = series(sys.argv[1]), series(sys.argv[2])
for s in sorted(a ^ b):
    print(s.split("{")[0])
EOF
[ -s "$TMP/varying.txt" ] && note "metric names whose series vary in the exporter itself: $(sort -u "$TMP/varying.txt" | tr '\n' ' ')"

REFUSED=127.0.0.1:$(free_port)
CONFIG=$TMP/prometheus.yml
cat >"$CONFIG" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT', '$REFUSED']
        labels:
          env: interop
EOF

PROM_PORT=$(free_port)
start_server "$TMP/prometheus.log" prometheus --config.file="$CONFIG" \
  --web.listen-address="127.0.0.1:$PROM_PORT" --storage.tsdb.path="$TMP/prom-data" \
  --storage.tsdb.retention.time=2h --log.level=info
PROM_PID=$SERVER_PID
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 60 "$PROM_PID"
pass "prometheus ready on 127.0.0.1:$PROM_PORT"

"$SCRAPE" --config "$CONFIG" >"$TMP/ours.prom" 2>"$TMP/ours.log" &
OURS_PID=$!
INTEROP_PIDS+=("$OURS_PID")
INTEROP_LOGS+=("$TMP/ours.log")
sleep "$RUN_SECONDS"
kill -0 "$OURS_PID" 2>/dev/null || fail "tsdb-scrape exited early: $(tail -5 "$TMP/ours.log")"
kill -TERM "$OURS_PID"
for ((i = 0; i < 150; i++)); do kill -0 "$OURS_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$OURS_PID" 2>/dev/null && fail "tsdb-scrape did not stop within 15 s of SIGTERM"
wait "$OURS_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "tsdb-scrape exited $rc after SIGTERM"
pass "tsdb-scrape ran ${RUN_SECONDS}s and exited 0 on SIGTERM"
# Let Prometheus's last scrapes of the window land in its head.
sleep 2

python3 - "$TMP/ours.prom" "http://127.0.0.1:$PROM_PORT" "$TMP/varying.txt" "$NE_PORT" "$REFUSED" <<'EOF' || fail "series or sample counts differ from Prometheus (see above)"
import json, re, sys, urllib.parse, urllib.request

ours_path, prom, varying_path, ne_port, refused = sys.argv[1:6]
varying = {l.strip() for l in open(varying_path) if l.strip()}

def esc(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

def key(labels):
    name = labels.get("__name__", "")
    rest = ",".join('%s="%s"' % (k, esc(labels[k])) for k in sorted(labels) if k != "__name__")
    return name + ("{" + rest + "}" if rest else "")

# Our output: "series value timestamp" per line, series as Prometheus text writes it.
ours = {}
for line in open(ours_path):
    line = line.rstrip("\n")
    if not line:
        continue
    series, value, ts = line.rsplit(" ", 2)
    ours.setdefault(series, []).append((int(ts), value))
if not ours:
    sys.exit("tsdb-scrape wrote nothing")
first = min(t for v in ours.values() for t, _ in v)
last = max(t for v in ours.values() for t, _ in v)

def get(path, **params):
    url = prom + path + "?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as r:
        body = json.load(r)
    if body.get("status") != "success":
        sys.exit("prometheus: %s: %s" % (url, body))
    return body["data"]

# Prometheus applies discovered targets up to 5 s after it starts: the
# window is where both have scraped, a second inside both ends.
ups = get("/api/v1/query", query='up{job="node"}[%dms]' % (last - first + 120000), time=last / 1000)["result"]
if not ups:
    sys.exit("prometheus has no up series for job node")
prom_first = min(int(round(float(v[0][0]) * 1000)) for v in (m["values"] for m in ups))
prom_end = max(int(round(float(v[-1][0]) * 1000)) for v in (m["values"] for m in ups))
A, B = max(first, prom_first) + 1000, min(last, prom_end) - 1000
if B - A < 10000:
    sys.exit("run too short: window %d ms" % (B - A))
print("window: %d ms (%d..%d)" % (B - A, A, B))

sel = '{job="node"}'
prom_series = {key(s) for s in get("/api/v1/series", **{"match[]": sel, "start": A / 1000, "end": B / 1000})}
W = B - A
matrix = get("/api/v1/query", query="%s[%dms]" % (sel, W), time=B / 1000)["result"]
prom_counts = {key(m["metric"]): len(m["values"]) for m in matrix}
prom_last = {key(m["metric"]): m["values"][-1][1] for m in matrix}

our_counts = {s: sum(1 for t, _ in v if A <= t <= B) for s, v in ours.items()}
our_series = {s for s, n in our_counts.items() if n > 0}

def excused(s):
    return s.split("{")[0] in varying

only_ours = sorted(s for s in our_series - prom_series if not excused(s))
only_prom = sorted(s for s in prom_series - our_series if not excused(s))
problems = 0
for s in only_ours[:20]:
    print("only in tsdb-scrape:", s)
for s in only_prom[:20]:
    print("only in prometheus:", s)
problems += len(only_ours) + len(only_prom)
common = our_series & prom_series
print("series: %d in tsdb-scrape, %d in prometheus, %d in both, %d excused" % (
    len(our_series), len(prom_series), len(common), len((our_series ^ prom_series)) - len(only_ours) - len(only_prom)))
if len(common) < 100:
    print("too few series in common: %d" % len(common))
    problems += 1

bad = []
for s in sorted(common):
    o, p = our_counts.get(s, 0), prom_counts.get(s, 0)
    if abs(o - p) > 1 and not excused(s):
        bad.append((s, o, p))
for s, o, p in bad[:20]:
    print("sample count differs: %s: tsdb-scrape %d, prometheus %d" % (s, o, p))
problems += len(bad)
counts = sorted(our_counts[s] for s in common)
print("samples per series in the window: tsdb-scrape %d..%d" % (counts[0], counts[-1]))

def up_of(instance):
    k = key({"__name__": "up", "env": "interop", "instance": instance, "job": "node"})
    return ours.get(k, [(0, "missing")])[-1][1], prom_last.get(k, "missing")
for inst, want in (("127.0.0.1:" + ne_port, "1"), (refused, "0")):
    o, p = up_of(inst)
    if o != want or p != want:
        print("up{instance=%s}: tsdb-scrape %s, prometheus %s, want %s" % (inst, o, p, want))
        problems += 1
k = key({"__name__": "scrape_samples_scraped", "env": "interop", "instance": "127.0.0.1:" + ne_port, "job": "node"})
o, p = float(ours[k][-1][1]), float(prom_last.get(k, "nan"))
print("scrape_samples_scraped: tsdb-scrape %g, prometheus %g" % (o, p))
if not abs(o - p) <= len(varying):
    print("scrape_samples_scraped differs")
    problems += 1
sys.exit(1 if problems else 0)
EOF
pass "same series as prometheus, sample counts within one scrape, same up and scrape_samples_scraped"

# ------------------------------------------------------------ 2. hashmod split
python3 - "$TMP/targets.json" "$TMP/targets.txt" <<'EOF' || fail "generating targets"
import json, socket, sys
ports = []
while len(ports) < 20:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    ports.append(s.getsockname()[1])
    s.close()
addrs = ["127.0.0.1:%d" % p for p in ports]
json.dump([{"targets": addrs[:10], "labels": {"rack": "a"}}, {"targets": addrs[10:], "labels": {"rack": "b"}}],
          open(sys.argv[1], "w"))
open(sys.argv[2], "w").write("".join(a + "\n" for a in addrs))
EOF
for k in 0 1; do
  cat >"$TMP/worker-$k.yml" <<EOF
# Horizontal split: every worker has the same target list; each keeps the targets
# whose hashmod of __address__ equals its own number (here worker $k of 2).
global:
  scrape_timeout: 2s
  external_labels:
    worker: $k
scrape_configs:
  - job_name: 'node'
    file_sd_configs:
    - files:
      - $TMP/targets.json
    relabel_configs:
    - source_labels: [__address__]
      modulus:       2
      target_label:  __tmp_hash
      action:        hashmod
    - source_labels: [__tmp_hash]
      regex:         ^$k$
      action:        keep
EOF
  "$SCRAPE" --once --config "$TMP/worker-$k.yml" >"$TMP/worker-$k.prom" 2>"$TMP/worker-$k.log"
  rc=$?
  # Every target is down: --once exits 1 ("every scrape failed") but writes the up series.
  [ "$rc" -eq 1 ] || fail "worker $k: exit status $rc, want 1 (all targets down): $(tail -3 "$TMP/worker-$k.log")"
  grep -v "worker=\"$k\"" "$TMP/worker-$k.prom" | head -1 | grep -q . && fail "worker $k: a line without worker=\"$k\""
  sed -n 's/^up{.*instance="\([^"]*\)".*} 0 .*/\1/p' "$TMP/worker-$k.prom" | sort >"$TMP/scraped-$k.txt"
  "$SHARD" --modulus 2 "$TMP/targets.txt" 2>/dev/null | awk -F'\t' -v k="$k" '$2 == k {print $1}' | sort >"$TMP/want-$k.txt"
  [ -s "$TMP/want-$k.txt" ] || fail "tsdb-hashmod-shard gave shard $k no targets"
  diff "$TMP/want-$k.txt" "$TMP/scraped-$k.txt" >"$TMP/diff-$k.txt" ||
    fail "worker $k scraped other targets than tsdb-hashmod-shard predicts: $(cat "$TMP/diff-$k.txt")"
  grep -q "rack=" "$TMP/worker-$k.prom" || fail "worker $k: file_sd group labels missing"
  pass "worker $k scraped exactly its $(wc -l <"$TMP/want-$k.txt") targets (of 20), as tsdb-hashmod-shard --modulus 2 predicts"
done
cat "$TMP/scraped-0.txt" "$TMP/scraped-1.txt" | sort | diff - <(sort "$TMP/targets.txt") >/dev/null ||
  fail "the two workers together did not scrape every target exactly once"
pass "the workers partition the 20 targets"

note "$CHECKS checks passed in $((SECONDS))s"
