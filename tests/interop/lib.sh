# Shared helpers for tests/interop/*_test.sh (sourced, not run).
#
#   source "$SOURCE_DIR/tests/interop/lib.sh"
#   interop_init NAME            # $TMP (removed on exit), servers stopped on exit
#   need_cmd prometheus          # missing tools FAIL the test (CI installs them)
#   port=$(free_port)
#   start_server LOGFILE cmd args...   # sets SERVER_PID; remembered for cleanup
#   wait_http URL SECONDS PID          # bounded wait for a 200 (fails if PID dies)
#   stop_server PID                    # TERM, bounded wait, then KILL
#   fail MSG / pass MSG / note MSG
#
# KEEP_TMP=1 in the environment keeps $TMP for debugging.
#
# Everything listens on 127.0.0.1 only. Every wait is bounded in time.

set -u -o pipefail

INTEROP_NAME=${INTEROP_NAME:-interop}
INTEROP_PIDS=()
INTEROP_LOGS=()
TMP=""
CHECKS=0

note() { printf '%s: %s\n' "$INTEROP_NAME" "$*"; }
pass() {
  CHECKS=$((CHECKS + 1))
  printf '%s: ok   %s\n' "$INTEROP_NAME" "$*"
}
fail() {
  printf '%s: FAIL %s\n' "$INTEROP_NAME" "$*" >&2
  exit 1
}

# The last lines of every server log, for a failure report.
dump_logs() {
  local f
  for f in "${INTEROP_LOGS[@]+"${INTEROP_LOGS[@]}"}"; do
    [ -f "$f" ] || continue
    printf -- '--- last 40 lines of %s ---\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
}

interop_cleanup() {
  local rc=$?
  local pid
  for pid in "${INTEROP_PIDS[@]+"${INTEROP_PIDS[@]}"}"; do
    stop_server "$pid"
  done
  if [ "$rc" -ne 0 ]; then
    dump_logs
  fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ -n "${KEEP_TMP:-}" ]; then
      printf '%s: KEEP_TMP set; kept %s\n' "$INTEROP_NAME" "$TMP" >&2
    else
      rm -rf -- "$TMP"
    fi
  fi
  exit "$rc"
}

# interop_init NAME: a private temp dir in $TMP and cleanup on every exit.
interop_init() {
  INTEROP_NAME=$1
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/tsdb-${INTEROP_NAME}.XXXXXX") || fail "mktemp failed"
  trap interop_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# need_cmd CMD: absent is a failure, not a skip.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 || fail "required command '$1' not found in PATH (install Debian's prometheus package)"
}

# need_file PATH: an executable built by the build (e.g. $BUILD_DIR/tsdb-hashmod-shard).
need_exe() {
  [ -x "$1" ] || fail "required executable $1 is missing (build it first)"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
# The kernel picks it (bind to port 0), so parallel tests do not collide
# except in the short window before the server binds it.
free_port() {
  python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# start_server LOGFILE CMD ARGS...: starts CMD in the background, output to
# LOGFILE; sets SERVER_PID and remembers it for cleanup. CMD runs under
# timeout(1) (INTEROP_SERVER_LIMIT seconds, default 600), so a server
# outlives the test by at most that long even if the test is SIGKILLed (a
# ctest timeout); SIGTERM to SERVER_PID reaches CMD through timeout.
start_server() {
  local log=$1
  shift
  timeout -k 5 "${INTEROP_SERVER_LIMIT:-600}" "$@" >"$log" 2>&1 </dev/null &
  SERVER_PID=$!
  INTEROP_PIDS+=("$SERVER_PID")
  INTEROP_LOGS+=("$log")
}

# stop_server PID: SIGTERM, up to 10 s for it to exit, then SIGKILL.
stop_server() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    note "server $pid did not stop within 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

# http_get URL: the body on stdout; non-zero unless the status is 2xx.
http_get() {
  curl -fsS --max-time 20 --noproxy '*' "$1"
}

# wait_http URL SECONDS PID: polls until URL answers 2xx; fails the test if
# PID exits first or SECONDS pass.
wait_http() {
  local url=$1 secs=$2 pid=$3
  local deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    kill -0 "$pid" 2>/dev/null || fail "server (pid $pid) exited while waiting for $url"
    if curl -fsS --max-time 2 --noproxy '*' -o /dev/null "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  fail "no answer from $url within ${secs}s"
}
