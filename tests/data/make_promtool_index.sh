#!/usr/bin/env bash
# Regenerates tests/data/promtool_index/: an index written by the real
# Prometheus (promtool 2.42, Debian package `prometheus`) for the
# index_promtool_test unit test.
#
#   promtool tsdb create-blocks-from openmetrics series.om OUT
#
# Outputs (committed):
#   promtool_index/index        the block's index file
#   promtool_index/meta.json    the block's meta.json
#   promtool_index/series.txt   the input series, one per line: name<TAB>value<TAB>...
#                               with \\ \n \t escaped inside fields
#   promtool_index/series.om    the OpenMetrics input
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/promtool_index"
promtool=${PROMTOOL:-/usr/bin/promtool}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$tmp/series.om" "$tmp/series.txt" <<'PY'
import sys
om_path, txt_path = sys.argv[1], sys.argv[2]
# 1699999200 is a multiple of 2h, so everything lands in one block.
t0 = 1699999200
series = []  # (metric, [(name, value)], n_samples)
for i in range(8):
    series.append(("http_requests_total", [("code", ["200", "404", "500", "503"][i % 4]),
                                           ("method", ["GET", "POST"][i // 4]),
                                           ("job", "api")], 5))
for i in range(6):
    series.append(("node_cpu_seconds_total", [("cpu", str(i // 3)), ("mode", ["idle", "user", "system"][i % 3]),
                                              ("instance", "host-%d:9100" % (i % 2))], 300 if i == 0 else 4))
for i in range(6):
    series.append(("temperature_celsius", [("room", ["küche", "Ünterraum", "東京", "smile 😀", "caf\u00e9", "plain"][i]),
                                           ("sensor", "s%d" % i)], 3))
for i in range(5):
    series.append(("escaped_values", [("path", ['a"quoted"', 'back\\slash', 'new\nline', 'mixed "\\\n"', 'tab\there'][i])], 2))
for i in range(5):
    lbls = [("le", str(i))]
    if i % 2 == 0:
        lbls.append(("zone", "eu-%d" % i))
    if i == 4:
        lbls.append(("aaa_first", "x"))
    series.append(("up", lbls, 2))
assert len(series) == 30

def om_escape(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

def field_escape(v):
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")

by_metric = {}
for m, l, n in series:
    by_metric.setdefault(m, []).append((l, n))
with open(om_path, "w", encoding="utf-8") as f:
    for m in by_metric:
        typ = "counter" if m.endswith("_total") else "gauge"
        fam = m[:-len("_total")] if typ == "counter" else m
        f.write("# TYPE %s %s\n" % (fam, typ))
        for l, n in by_metric[m]:
            body = ",".join('%s="%s"' % (k, om_escape(v)) for k, v in l)
            for s in range(n):
                f.write("%s{%s} %d %d\n" % (m, body, s * 3 + len(l), t0 + s * 15))
    f.write("# EOF\n")
with open(txt_path, "w", encoding="utf-8") as f:
    for m, l, n in series:
        pairs = sorted([("__name__", m)] + l)
        f.write("\t".join(field_escape(x) for p in pairs for x in p) + "\n")
PY

"$promtool" tsdb create-blocks-from openmetrics "$tmp/series.om" "$tmp/out" >/dev/null
blocks=("$tmp"/out/*/)
if [ "${#blocks[@]}" -ne 1 ]; then
  echo "expected exactly one block, got ${#blocks[@]}" >&2
  exit 1
fi
mkdir -p "$out"
cp "${blocks[0]}/index" "${blocks[0]}/meta.json" "$out/"
cp "$tmp/series.om" "$tmp/series.txt" "$out/"
echo "wrote $out: $(wc -c < "$out/index") byte index"
