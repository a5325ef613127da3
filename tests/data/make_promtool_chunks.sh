#!/usr/bin/env bash
# Regenerates tests/data/promtool_block/: a block written by the real
# Prometheus, used as a byte-level fixture by tests/unit/chunkenc_*_test.cpp
# (and by other packages: index, block).
#
#   tests/data/make_promtool_chunks.sh [path/to/promtool]
#
# 1. writes input.om.txt, an OpenMetrics file with a few series of varied
#    shapes (integer counters, decimal gauges, NaN, +Inf, -Inf, -0, extreme
#    magnitudes, irregular millisecond timestamps, gaps of minutes to an hour,
#    1 and 2 sample series), all inside one 2h block window;
#    The test reads it back as promtool does: a value "NaN" is Go's
#    math.NaN() (bits 0x7ff8000000000001), a timestamp is float seconds
#    truncated to int64(ts * 1000) milliseconds;
# 2. runs `promtool tsdb create-blocks-from openmetrics input.om.txt OUT`
#    (Debian's prometheus 2.42 package) and copies the block's meta.json,
#    index and chunks/000001 next to them.
set -euo pipefail
PROMTOOL=${1:-/usr/bin/promtool}
here=$(cd "$(dirname "$0")" && pwd)
dst=$here/promtool_block
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dst/chunks"

python3 - "$dst/input.om.txt" <<'PY'
import math, random, sys

rnd = random.Random(20240611)
base = 1699999200  # a multiple of 7200 s: the start of a 2h block window
end = base + 7200

def go_ms(t):
    # promtool parses the OpenMetrics timestamp as float seconds and keeps
    # int64(ts * 1000): truncation, so 1699999246.001 may become ...246000.
    return int(float(f'{t // 1000}.{t % 1000:03d}') * 1000)

def fmt_value(v):
    if math.isnan(v): return 'NaN'
    if math.isinf(v): return '+Inf' if v > 0 else '-Inf'
    if v == 0 and math.copysign(1, v) < 0: return '-0'
    return repr(v)

series = []  # (family, type, name, labels, [(t_ms, value)])

# Integer counter scraped every 15 s for the whole window: 4 chunks of 120.
s, v = [], 0
for i in range(480):
    v += rnd.choice([0, 0, 1, 2, 3, 5, 8, 13, 100])
    s.append(((base + 15 * i) * 1000, float(v)))
series.append(('a_requests', 'counter', 'a_requests_total', 'code="200",job="api"', s))

# Same family, another label set: counter with a reset in the middle, 30 s.
s, v = [], 1000
for i in range(150):
    v = 0 if i == 123 else v + rnd.randint(0, 50)
    s.append(((base + 5 + 30 * i) * 1000, float(v)))
series.append(('a_requests', 'counter', 'a_requests_total', 'code="500",job="api"', s))

# Decimal gauge every 10 s with millisecond jitter in the timestamps.
s = []
for i in range(250):
    t = (base + 10 * i) * 1000 + rnd.randint(0, 999)
    s.append((t, round(21.0 + 3 * math.sin(i / 40.0) + rnd.uniform(-0.2, 0.2), 3)))
series.append(('b_temperature_celsius', 'gauge', 'b_temperature_celsius', 'room="lab"', s))

# Special values, irregular intervals, gaps from one millisecond to an hour
# (delta-of-delta in each of the 1/14/17/20/64-bit buckets, and negative ones).
specials = [0.0, -0.0, float('nan'), float('inf'), float('-inf'), 1e308, -1e308,
            5e-324, 2.2250738585072014e-308, 1.0, -1.0, 0.1, 123456789.125,
            -7.75, 3.0, 3.0, 3.0, float('nan'), 42.0, 1e-9, 9007199254740993.0]
gaps_ms = [15000, 15000, 15001, 14000, 1, 2, 16000, 60000, 120000, 300000,
           600000, 3600000, 1, 5000, 5000, 5000, 70000, 10, 999, 123457]
s, t = [], (base + 1) * 1000
for i, v in enumerate(specials):
    s.append((t, v))
    t += gaps_ms[i % len(gaps_ms)]
series.append(('c_weird_values', 'gauge', 'c_weird_values', 'kind="special"', s))

# Random doubles of every magnitude, every 1 s: many samples per chunk.
s = []
for i in range(150):
    s.append(((base + 3000 + i) * 1000, rnd.uniform(-1, 1) * 10 ** rnd.randint(-30, 30)))
series.append(('d_random', 'gauge', 'd_random', 'src="fuzz"', s))

# One and two samples.
series.append(('e_one_sample', 'gauge', 'e_one_sample', 'n="1"', [((base + 100) * 1000, 7.0)]))
series.append(('f_two_samples', 'gauge', 'f_two_samples', 'n="2"', [((base + 100) * 1000, 1.5), ((base + 7199) * 1000 + 999, -2.25)]))

for _, _, _, _, samples in series:
    assert all(base * 1000 <= t < end * 1000 for t, _ in samples)
    assert all(go_ms(a[0]) < go_ms(b[0]) for a, b in zip(samples, samples[1:]))

with open(sys.argv[1], 'w') as f:
    done = set()
    for fam, typ, name, labels, samples in series:
        if fam not in done:
            f.write(f'# TYPE {fam} {typ}\n')
            done.add(fam)
        for t, v in samples:
            f.write(f'{name}{{{labels}}} {fmt_value(v)} {t // 1000}.{t % 1000:03d}\n')
    f.write('# EOF\n')

PY

"$PROMTOOL" tsdb create-blocks-from openmetrics "$dst/input.om.txt" "$tmp/out" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
blocks=("$tmp"/out/*/)
if [ "${#blocks[@]}" -ne 1 ]; then echo "expected one block, got ${#blocks[@]}" >&2; exit 1; fi
cp "${blocks[0]}/meta.json" "${blocks[0]}/index" "$dst/"
cp "${blocks[0]}/chunks/000001" "$dst/chunks/000001"
"$PROMTOOL" --version 2>&1 | head -1 >"$dst/PROMTOOL_VERSION"
ls -l "$dst" "$dst/chunks"
