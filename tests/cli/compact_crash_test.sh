#!/usr/bin/env bash
# ctest-cost: 82 (seconds on 2 cores, 2026-11-23)
# Crash safety of tsdb-compact: SIGKILL at random instants of a pass
# (compaction, deletion of inputs, downsampling, retention) on a
# moderately large directory; after every kill the directory must read back
# with every sample exactly once, and the next run must finish the job with
# the same result as an uninterrupted run. A full disk (a 3 MiB tmpfs, when
# mounting one is allowed) must fail cleanly and leave the inputs intact.
# Args: BUILD_DIR SOURCE_DIR. TSDB_CRASH_ROUNDS (default 12) kills.
set -uo pipefail
build=$(cd "$1" && pwd)
bin=$build/tsdb-compact
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
scrape=$build/tsdb-scrape
inspect=$build/tsdb-inspect
rounds=${TSDB_CRASH_ROUNDS:-12}

# 300 series at 60s over 4.5 days: 2h blocks compact up to 54h, which is
# downsampled to 5m; --retention drops the oldest.
python3 - <<'PY'
start = 1700000000000 - 1700000000000 % 7200000
with open("in.prom", "w") as f:
    for t in range(start, start + 108 * 3600000, 60000):
        for i in range(300):
            f.write(f'm_total{{i="{i}",job="crash"}} {(t - start) // 1000 * (i % 7 + 1)} {t}\n')
PY
"$scrape" -q --db init in.prom
flags=(-q --downsample --retention 100h --max-block-duration 54h)
summary() {  # what a directory holds, without ULIDs: range, counts, level, resolution
  "$inspect" -q list -o json "$1" 2>/dev/null | python3 -c '
import json, sys
for b in sorted(json.load(sys.stdin), key=lambda b: (b["min_time_ms"], b["resolution"])):
    print(b["min_time_ms"], b["max_time_ms"], b["series"], b["samples"], b["chunks"], b["level"], b["resolution"])'
}
# The reference: an uninterrupted run.
cp -r init ref
start=$(date +%s.%N)
"$bin" "${flags[@]}" ref; check "reference run" 0 $?
elapsed=$(python3 -c "print($(date +%s.%N) - $start)")
"$inspect" -q dump ref >ref.txt
summary ref >ref.sum
summary ref/downsampled >ref.ds
check "reference downsampled" 1 "$(wc -l <ref.ds)"
echo "reference pass: ${elapsed}s"

for ((r = 1; r <= rounds; r++)); do
  rm -rf run && cp -r init run
  # Each round kills at a random instant of the pass (time after exec).
  delay=$(python3 -c "import random; print(round(random.uniform(0.005, $elapsed * 1.1), 3))")
  "$bin" "${flags[@]}" run &
  pid=$!
  sleep "$delay"
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null
  # Right after the kill: every raw sample readable exactly once (overlaps
  # of a finished merge and its parents are merged by the reader), except
  # what retention deletes; the downsampled folder readable.
  "$inspect" -q dump run >killed.txt 2>/dev/null
  python3 - ref.txt killed.txt <<'PY' || { fail=$((fail + 1)); echo "FAIL round $r (kill after ${delay}s): samples lost or duplicated"; }
import sys
ref, got = open(sys.argv[1]).read().splitlines(), open(sys.argv[2]).read().splitlines()
# Retention may or may not have run: the killed state holds the reference's
# samples, plus possibly older ones, each once.
assert len(got) == len(set(got)), "duplicates"
assert set(ref) <= set(got), "lost %d samples" % len(set(ref) - set(got))
PY
  "$inspect" -q list run/downsampled >/dev/null 2>&1 || [ ! -d run/downsampled ] ||
    { fail=$((fail + 1)); echo "FAIL round $r: downsampled folder unreadable"; }
  # The next run finishes the job: the same blocks as the uninterrupted run.
  "$bin" "${flags[@]}" run; check "round $r: next run exit" 0 $?
  "$inspect" -q dump run >done.txt
  check "round $r (kill after ${delay}s): same samples as the reference" "$(md5sum <ref.txt)" "$(md5sum <done.txt)"
  check "round $r: same blocks" "$(cat ref.sum)" "$(summary run)"
  check "round $r: same downsampled blocks" "$(cat ref.ds)" "$(summary run/downsampled)"
  check "round $r: no leftovers" "" "$(ls run run/downsampled | grep tmp)"
  "$inspect" -q verify run >/dev/null; check "round $r: verify" 0 $?
  "$bin" "${flags[@]}" -o json run >again.json
  check "round $r: a third run does nothing" "0 0 0" \
    "$(python3 -c 'import json; d=json.load(open("again.json")); print(len(d["compacted"]), len(d["deleted"]), len(d["downsampled"]))')"
done

# A full disk mid-write: the group fails, nothing is left behind, the inputs
# are intact, and with room again the next run completes. The tmpfs holds
# the blocks and a quarter more: not enough for the merge of three of six.
python3 - <<'PY'
start = 1700000000000 - 1700000000000 % 7200000
with open("disk.prom", "w") as f:
    for t in range(start, start + 12 * 3600000, 15000):
        for i in range(150):
            f.write(f'd{{i="{i}"}} {(t - start) * 7919 % 100003 / 7.0} {t}\n')
PY
"$scrape" -q --db disk disk.prom
kb=$(du -sk disk | cut -f1)
mkdir -p small
if mount -t tmpfs -o size=$((kb * 5 / 4 + 64))k tmpfs small 2>/dev/null; then
  cp -r disk small/d
  "$inspect" -q dump small/d >disk_before.txt
  sums=$(cd small/d && find . -type f -exec md5sum {} + | sort)
  "$bin" small/d 2>err.txt; check "full disk exit" 1 $?
  contains "full disk named" "No space left on device" "$(cat err.txt)"
  check "full disk: no temporary folder left" "" "$(ls small/d | grep tmp)"
  check "full disk: inputs intact" "$sums" "$(cd small/d && find . -type f -not -name compact.lock -exec md5sum {} + | sort)"
  cp -r small/d roomy
  umount small
  "$bin" -q roomy; check "with room: exit" 0 $?
  "$inspect" -q dump roomy >disk_after.txt
  check "with room: same samples" "$(md5sum <disk_before.txt)" "$(md5sum <disk_after.txt)"
else
  echo "note: cannot mount a tmpfs here (not root?): full-disk case skipped"
fi

finish compact_crash_test
