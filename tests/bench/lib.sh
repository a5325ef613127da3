# Shared by the whole-command comparisons in tests/bench/ (sourced, after
# `here` is set to tests/bench): the dataset generator's path, and a work
# folder removed on exit (a script that needs more cleanup replaces the trap).
gen="$here/../../../shared/bench/gen_openmetrics.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# best_of N CMD...: the best wall-clock seconds of N runs, output discarded.
best_of() {
  local n=$1 best="" t0 t1 s
  shift
  for _ in $(seq "$n"); do
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    s=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$best" ] || (($(echo "$s < $best" | bc -l))); then best=$s; fi
  done
  printf '%.3f' "$best"
}
