#!/usr/bin/env bash
# ctest-cost: 10 (seconds on 2 cores, 2026-11-23)
# Interop: tsdb-hashmod-shard assigns targets to shards exactly as a real
# Prometheus (Debian's 2.42) does with relabel_configs action "hashmod".
#
#   bash hashmod_prometheus_test.sh BUILD_DIR SOURCE_DIR
#
# 1. Generates a file_sd JSON file with >= 1,000 targets in labelled groups
#    (127.0.0.1:PORT, hostnames with and without a port, [::1]:PORT,
#    192.0.2.N:9100, some addresses in two groups with different labels,
#    UTF-8 and separator characters in label values).
# 2. Starts ONE prometheus on 127.0.0.1 whose jobs all read that file:
#      hm-mM-kK    M in 2,3,7, every K: relabel_configs printed by
#                  `tsdb-hashmod-shard --relabel-config -m M -k K`
#      hand-m3-kK  the same, hand-written (target_label __tmp_hash, "^K$"),
#                  so the CLI is checked independently of the snippet
#      env-m5-kK   `--source-labels __address__,env` snippet
#      sep-m4-kK   `--source-labels team,__address__,env --separator /`
#                  (groups without team/env hash "" for them)
#      split-m3-kK file_sd on the `--split` output shard-K.json, no relabeling
#    Targets are unreachable or refused; scrape_interval 1h keeps Prometheus
#    from scraping much. The test only reads /api/v1/targets.
# 3. For each job, the set of kept targets (discoveredLabels.__address__ plus
#    the group's labels) must equal `tsdb-hashmod-shard -m M -k K [...]
#    targets.json` exactly; active + dropped must be all targets; across K the
#    shards must partition the targets; split files must hold shard K with
#    its group labels.
set -u -o pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: $0 BUILD_DIR SOURCE_DIR}
# shellcheck source=lib.sh
source "$SOURCE_DIR/tests/interop/lib.sh"
interop_init hashmod_prometheus

need_cmd prometheus
need_cmd curl
need_cmd python3
SHARD=$BUILD_DIR/tsdb-hashmod-shard
need_exe "$SHARD"
START=$SECONDS

MODULI=(2 3 7)
HAND_M=3
ENV_M=5
SEP_M=4
SPLIT_M=3

# ---------------------------------------------------------------- targets
TARGETS=$TMP/targets.json
python3 - "$TARGETS" <<'EOF' || fail "generating targets"
import json, random, sys
rnd = random.Random(20240607)
addrs = []
addrs += ["127.0.0.1:%d" % p for p in rnd.sample(range(10000, 60000), 700)]
addrs += ["node-%d.example:9100" % i for i in range(200)]
addrs += ["node-%d.example" % i for i in range(200, 230)]          # no port
addrs += ["[::1]:%d" % p for p in rnd.sample(range(10000, 60000), 30)]
addrs += ["192.0.2.%d:9100" % i for i in range(1, 101)]
addrs += ["db-%d.prod.example:5432" % i for i in range(40)]
rnd.shuffle(addrs)
group_labels = [
    {},
    {"env": "prod", "team": "a"},
    {"env": "staging"},
    {"team": "b", "dc": "eu-1"},
    {"env": "prod", "team": "c"},
    {"env": "dev", "region": "z\u00fcrich-\u00f6st \u65e5\u672c"},
    {"env": "prod;eu", "team": "a/b"},     # the default separator and "/" inside values
    {"env": ""},                            # empty value: same as absent for hashing
    {"team": "d"},
    {"env": "canary", "team": "a", "tier": "1"},
    {"env": "staging", "team": "e"},
    {"env": "prod", "team": "f", "x": "has \"quote\" and \\ backslash"},
]
groups = [{"targets": [], "labels": dict(l)} for l in group_labels]
for i, a in enumerate(addrs):
    groups[i % len(groups) if i % 5 else rnd.randrange(len(groups))]["targets"].append(a)
# 60 addresses that appear a second time in another group with a different env.
for a in addrs[:60]:
    src = next(g for g in groups if a in g["targets"])
    for g in groups:
        if g is not src and g["labels"].get("env", "") != src["labels"].get("env", "") and a not in g["targets"]:
            g["targets"].append(a)
            break
for g in groups:
    if not g["labels"]:
        del g["labels"]
json.dump(groups, open(sys.argv[1], "w"), indent=1, ensure_ascii=False)
EOF
NTARGETS=$(python3 -c 'import json,sys; print(sum(len(g["targets"]) for g in json.load(open(sys.argv[1]))))' "$TARGETS")
[ "$NTARGETS" -ge 1000 ] || fail "only $NTARGETS targets generated"
note "generated $NTARGETS targets in $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TARGETS") file_sd groups"

# ---------------------------------------------------------------- jobs
# PLAN: one line per job: NAME FAMILY M K EXPECT_FILE FILE_SD_FILE
PLAN=$TMP/plan.txt
: >"$PLAN"
CONFIG=$TMP/prometheus.yml
mkdir -p "$TMP/expect" "$TMP/split"
cat >"$CONFIG" <<EOF
global:
  scrape_interval: 1h
  scrape_timeout: 10s
  evaluation_interval: 1h
scrape_configs:
EOF

# add_job NAME FILE_SD_FILE RELABEL_YAML_FILE_OR_EMPTY
add_job() {
  {
    printf '  - job_name: %s\n' "$1"
    printf '    file_sd_configs:\n      - files: [%s]\n        refresh_interval: 1h\n' "$2"
    if [ -n "$3" ]; then
      printf '    relabel_configs:\n'
      sed 's/^/      /' "$3"
    fi
  } >>"$CONFIG"
}

# expect NAME ARGS...: the tool's own answer for a job, into expect/NAME.json
expect() {
  local name=$1
  shift
  # The file goes first: CLI11 lets --source-labels A,B swallow a following
  # FILE argument as another label (then stdin is read; </dev/null makes
  # that an empty answer, caught below, rather than a hang).
  "$SHARD" --quiet "$TARGETS" "$@" </dev/null >"$TMP/expect/$name.json" 2>"$TMP/expect/$name.err" ||
    fail "tsdb-hashmod-shard $TARGETS $*: exit $? ($(cat "$TMP/expect/$name.err"))"
}

snippet() {
  local out=$1
  shift
  "$SHARD" --relabel-config "$@" >"$out" 2>"$out.err" || fail "tsdb-hashmod-shard --relabel-config $*: exit $?"
  grep -q 'action: hashmod' "$out" || fail "--relabel-config $* printed no hashmod rule: $(cat "$out")"
}

for m in "${MODULI[@]}"; do
  for ((k = 0; k < m; k++)); do
    name=hm-m$m-k$k
    snippet "$TMP/$name.yml" -m "$m" -k "$k"
    add_job "$name" "$TARGETS" "$TMP/$name.yml"
    expect "$name" -m "$m" -k "$k"
    echo "$name hm-m$m $m $k $TMP/expect/$name.json $TARGETS" >>"$PLAN"
  done
done

for ((k = 0; k < HAND_M; k++)); do
  name=hand-m$HAND_M-k$k
  cat >"$TMP/$name.yml" <<EOF
- source_labels: [__address__]
  modulus: $HAND_M
  target_label: __tmp_hash
  action: hashmod
- source_labels: [__tmp_hash]
  regex: ^$k\$
  action: keep
EOF
  add_job "$name" "$TARGETS" "$TMP/$name.yml"
  expect "$name" -m "$HAND_M" -k "$k"
  echo "$name hand-m$HAND_M $HAND_M $k $TMP/expect/$name.json $TARGETS" >>"$PLAN"
done

for ((k = 0; k < ENV_M; k++)); do
  name=env-m$ENV_M-k$k
  snippet "$TMP/$name.yml" -m "$ENV_M" -k "$k" --source-labels __address__,env
  grep -q 'source_labels: \[__address__, env\]' "$TMP/$name.yml" ||
    fail "--relabel-config --source-labels __address__,env: unexpected rule: $(cat "$TMP/$name.yml")"
  add_job "$name" "$TARGETS" "$TMP/$name.yml"
  expect "$name" -m "$ENV_M" -k "$k" --source-labels __address__,env
  echo "$name env-m$ENV_M $ENV_M $k $TMP/expect/$name.json $TARGETS" >>"$PLAN"
done

for ((k = 0; k < SEP_M; k++)); do
  name=sep-m$SEP_M-k$k
  snippet "$TMP/$name.yml" -m "$SEP_M" -k "$k" --source-labels team,__address__,env --separator /
  add_job "$name" "$TARGETS" "$TMP/$name.yml"
  expect "$name" -m "$SEP_M" -k "$k" --source-labels team,__address__,env --separator /
  echo "$name sep-m$SEP_M $SEP_M $k $TMP/expect/$name.json $TARGETS" >>"$PLAN"
done

"$SHARD" --quiet -m "$SPLIT_M" --split "$TMP/split" "$TARGETS" 2>"$TMP/split.err" ||
  fail "tsdb-hashmod-shard -m $SPLIT_M --split: exit $? ($(cat "$TMP/split.err"))"
for ((k = 0; k < SPLIT_M; k++)); do
  name=split-m$SPLIT_M-k$k
  f=$TMP/split/shard-$k.json
  [ -f "$f" ] || fail "--split wrote no $f"
  add_job "$name" "$f" ""
  expect "$name" -m "$SPLIT_M" -k "$k"
  echo "$name split-m$SPLIT_M $SPLIT_M $k $TMP/expect/$name.json $f" >>"$PLAN"
done
NJOBS=$(wc -l <"$PLAN")
note "prometheus.yml has $NJOBS jobs"

promtool_ok=1
if command -v promtool >/dev/null 2>&1; then
  promtool check config "$CONFIG" >"$TMP/promtool-config.log" 2>&1 || promtool_ok=0
  [ "$promtool_ok" = 1 ] || { cat "$TMP/promtool-config.log" >&2; fail "promtool check config rejected the generated prometheus.yml"; }
  pass "promtool check config accepts the $NJOBS jobs (relabel_configs from --relabel-config)"
fi

# ---------------------------------------------------------------- prometheus
PROM_LOG=$TMP/prometheus.log
PROM_PID=""
PORT=""
for attempt in 1 2 3; do
  PORT=$(free_port) || fail "free_port"
  start_server "$PROM_LOG" prometheus \
    --config.file="$CONFIG" \
    --web.listen-address="127.0.0.1:$PORT" \
    --storage.tsdb.path="$TMP/data" \
    --storage.tsdb.retention.time=2h \
    --log.level=info
  PROM_PID=$SERVER_PID
  deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    kill -0 "$PROM_PID" 2>/dev/null || break
    curl -fsS --max-time 2 --noproxy '*' -o /dev/null "http://127.0.0.1:$PORT/-/ready" 2>/dev/null && break
    sleep 0.2
  done
  if kill -0 "$PROM_PID" 2>/dev/null; then
    break
  fi
  if [ "$attempt" -lt 3 ] && grep -q 'address already in use' "$PROM_LOG"; then
    note "port $PORT was taken; retrying"
    cp "$PROM_LOG" "$PROM_LOG.$attempt"
    continue
  fi
  fail "prometheus exited during start-up"
done
wait_http "http://127.0.0.1:$PORT/-/ready" 5 "$PROM_PID"
note "prometheus (pid $PROM_PID) ready on 127.0.0.1:$PORT after $((SECONDS - START))s"

# The API answer once every job has all its discovered targets (file_sd is read
# at start; the scrape manager applies updates every 5 s).
API=$TMP/targets-api.json
COUNTS=$TMP/counts.py
cat >"$COUNTS" <<'EOF'
import json, sys
plan = [l.split() for l in open(sys.argv[2]) if l.strip()]
want = {}
for name, fam, m, k, expect, sd in plan:
    want[name] = sum(len(g["targets"]) for g in json.load(open(sd)))
try:
    d = json.load(open(sys.argv[1]))["data"]
except Exception as e:
    print("unparsable: %s" % e); sys.exit(1)
have = {}
for t in d["activeTargets"]:
    have[t["scrapePool"]] = have.get(t["scrapePool"], 0) + 1
for t in d["droppedTargets"]:
    j = t["discoveredLabels"].get("job", "")
    have[j] = have.get(j, 0) + 1
missing = {n: (have.get(n, 0), w) for n, w in want.items() if have.get(n, 0) != w}
print("%d/%d jobs complete" % (len(want) - len(missing), len(want)))
sys.exit(1 if missing else 0)
EOF
loaded=0
deadline=$((SECONDS + 90))
for ((poll = 0; poll < 300 && SECONDS < deadline; poll++)); do
  kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited"
  if http_get "http://127.0.0.1:$PORT/api/v1/targets" >"$API" 2>"$TMP/curl.err"; then
    if status=$(python3 "$COUNTS" "$API" "$PLAN"); then
      loaded=1
      break
    fi
  fi
  sleep 1
done
[ "$loaded" = 1 ] || fail "targets not all loaded within 90 s (last: ${status:-no answer})"
note "all $NJOBS jobs loaded after $((SECONDS - START))s ($status)"

# ---------------------------------------------------------------- compare
python3 - "$API" "$PLAN" "$TARGETS" <<'EOF' || fail "Prometheus and tsdb-hashmod-shard disagree (see above)"
import json, sys
from collections import defaultdict

api = json.load(open(sys.argv[1]))["data"]
plan = [l.split() for l in open(sys.argv[2]) if l.strip()]

def key(addr, labels):
    # An empty label value is the same as no label (Prometheus drops both).
    return (addr, tuple(sorted((n, v) for n, v in labels.items() if v != "")))

def from_file_sd(path):
    out = []
    try:
        groups = json.load(open(path))
    except ValueError as e:
        print("FAIL %s is not file_sd JSON: %s" % (path, e)); sys.exit(1)
    for g in groups:
        for t in g["targets"]:
            out.append(key(t, g.get("labels", {})))
    return out

def group_labels(final):
    # The target's labels after relabeling: the group's labels + job + instance.
    # (Not discoveredLabels: Prometheus 2.42 shows them corrupted for some
    # targets, with the hashmod target label inserted and the last group label
    # lost; what it scrapes with, "labels", is right.)
    return {n: v for n, v in final.items() if n not in ("job", "instance")}

def has_port(addr):
    return addr.rfind(":") > addr.rfind("]")

all_targets = from_file_sd(sys.argv[3])
assert len(set(all_targets)) == len(all_targets), "generator made duplicate (address, labels)"
all_set = set(all_targets)

active = defaultdict(list)
dropped = defaultdict(int)
bad_instance = 0
for t in api["activeTargets"]:
    addr = t["discoveredLabels"]["__address__"]
    inst = t["labels"].get("instance")
    # Prometheus 2.42 adds the scheme's default port to an address without one.
    if inst != addr and not (not has_port(addr) and inst == addr + ":80"):
        bad_instance += 1
        if bad_instance <= 5:
            print("FAIL %s: discovered __address__ %r but instance %r" % (t["scrapePool"], addr, inst))
    active[t["scrapePool"]].append(key(addr, group_labels(t["labels"])))
    if t["labels"].get("job") != t["scrapePool"]:
        print("FAIL job label %r in pool %s" % (t["labels"].get("job"), t["scrapePool"])); sys.exit(1)
if bad_instance:
    print("FAIL %d active targets whose instance does not match their address" % bad_instance); sys.exit(1)
for t in api["droppedTargets"]:
    dropped[t["discoveredLabels"].get("job", "")] += 1

failures = 0
families = defaultdict(list)
for name, fam, m, k, expect_file, sd in plan:
    want = from_file_sd(expect_file)
    got = active[name]
    ws, gs = set(want), set(got)
    ok = ws == gs and len(want) == len(ws) and len(got) == len(gs)
    discovered = len(from_file_sd(sd))
    if len(got) + dropped[name] != discovered:
        ok = False
        print("FAIL %s: active %d + dropped %d != discovered %d" % (name, len(got), dropped[name], discovered))
    if not ws <= all_set:
        ok = False
        print("FAIL %s: tsdb-hashmod-shard output has targets not in the input: %s" % (name, sorted(ws - all_set)[:5]))
    if fam.startswith("split-"):
        # The split file itself must be exactly shard K, labels included.
        sf = from_file_sd(sd)
        if set(sf) != ws or len(sf) != len(ws):
            ok = False
            print("FAIL %s: --split file %s differs from -m %s -k %s (%d vs %d targets)" % (name, sd, m, k, len(sf), len(ws)))
        if dropped[name]:
            ok = False
            print("FAIL %s: %d targets dropped without relabeling" % (name, dropped[name]))
    if ok:
        print("ok   %-12s shard %s/%s: %4d kept, %4d dropped; Prometheus == tsdb-hashmod-shard" % (name, k, m, len(got), dropped[name]))
    else:
        failures += 1
        print("FAIL %s (modulus %s, shard %s): Prometheus kept %d, tsdb-hashmod-shard %d" % (name, m, k, len(gs), len(ws)))
        for x in sorted(gs - ws)[:10]:
            print("     only Prometheus: %s %s" % x)
        for x in sorted(ws - gs)[:10]:
            print("     only tsdb-hashmod-shard: %s %s" % x)
    families[fam].append((name, ws, gs))

for fam, members in sorted(families.items()):
    partition_ok = True
    for which, idx in (("tsdb-hashmod-shard", 1), ("Prometheus", 2)):
        union = set()
        total = 0
        for m in members:
            union |= m[idx]
            total += len(m[idx])
        if union != all_set or total != len(all_set):
            failures += 1
            partition_ok = False
            print("FAIL %s: %s's %d shards do not partition the %d targets (union %d, sum %d)" %
                  (fam, which, len(members), len(all_set), len(union), total))
    sizes = "/".join(str(len(m[1])) for m in members)
    if partition_ok:
        print("ok   %-12s %d shards partition %d targets (%s)" % (fam, len(members), len(all_set), sizes))

# The same address with two env values: hashing __address__,env must put some
# of these pairs on different shards, or the env-m5 jobs test nothing more.
env_members = families.get("env-m%s" % [p for p in plan if p[1].startswith("env-")][0][2], [])
shard_of = {}
for i, m in enumerate(env_members):
    for a, l in m[2]:
        shard_of.setdefault(a, set()).add(i)
dup_addrs = [a for a in shard_of if sum(1 for x, _ in all_targets if x == a) > 1]
split_dups = sum(1 for a in dup_addrs if len(shard_of[a]) > 1)
if not dup_addrs or not split_dups:
    failures += 1
    print("FAIL env jobs: %d addresses in two groups, %d of them on two shards" % (len(dup_addrs), split_dups))
else:
    print("ok   env jobs: %d of %d addresses that are in two groups (different env) sit on two shards" %
          (split_dups, len(dup_addrs)))

# Group labels came through the split files: a label that only some groups carry.
region = [t for t in api["activeTargets"] if t["scrapePool"].startswith("split-") and "region" in t["labels"]]
want_region = sum(1 for a, l in all_targets if dict(l).get("region"))
if len(region) != want_region:
    failures += 1
    print("FAIL split jobs: %d active targets carry label region, input has %d" % (len(region), want_region))
else:
    print("ok   split jobs: label region=%r on all %d targets that have it" % (region[0]["labels"]["region"], len(region)))
print("compared %d jobs, %d active targets, %d dropped targets; %d failures" %
      (len(plan), len(api["activeTargets"]), len(api["droppedTargets"]), failures))
sys.exit(1 if failures else 0)
EOF
CHECKS=$((CHECKS + NJOBS))

stop_server "$PROM_PID"
grep -qi 'level=error.*\(relabel\|config\|file_sd\|discovery\)' "$PROM_LOG" &&
  { grep -i 'level=error' "$PROM_LOG" | head -5 >&2; fail "prometheus logged configuration/discovery errors"; }
pass "$NTARGETS targets, moduli ${MODULI[*]} (snippet) + $HAND_M (hand-written) + $ENV_M (__address__,env) + $SEP_M (team,__address__,env sep /) + --split $SPLIT_M: all $NJOBS jobs agree"
note "PASS in $((SECONDS - START))s"
