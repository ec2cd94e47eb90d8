# Shared by the benchmark scripts: sourced after `cd` to the repository root. Installs what the
# benchmarks need (wrk, curl, psql) with apt when missing, and defines small helpers (die and
# apt_install come from scripts/lib.sh).

. scripts/lib.sh

# Tools: wrk, curl, psql (the server binaries' client) and python3.
bench_tools() {
  command -v wrk >/dev/null || apt_install wrk
  command -v curl >/dev/null || apt_install curl
  if [ -x /usr/bin/psql ]; then psql=/usr/bin/psql
  elif command -v psql >/dev/null; then psql=$(command -v psql)
  else apt_install postgresql-client; psql=/usr/bin/psql
  fi
  command -v python3 >/dev/null || die "python3 is needed (free ports, request files, checking responses)"
}

# A TCP port nobody listens on now (the kernel's choice for port 0).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready PORT LOG: waits up to 120 s for the server $server to answer /readyz on PORT;
# fails with the end of LOG if it exits or does not become ready.
wait_ready() {
  local port=$1 log=$2
  for _ in $(seq 1 240); do
    kill -0 "$server" 2>/dev/null || fail_with_log "$log" "the server exited"
    curl -sf -o /dev/null "http://127.0.0.1:$port/readyz" && return
    sleep 0.5
  done
  fail_with_log "$log" "the server was not ready within 120 s"
}

# Stops the server $server (SIGINT, then SIGKILL after 10 s) and clears $server.
stop_server() {
  if [ -n "$server" ]; then
    kill -INT "$server" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}

# Show the end of a log and fail: fail_with_log LOG MESSAGE...
fail_with_log() {
  local log=$1; shift
  echo "$(basename "$0"): $*; last lines of $log:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
}

# wrk durations (850.00us, 1.23ms, 2.01s, 1.50m) in milliseconds.
to_ms() {
  awk -v t="$1" 'BEGIN {
    if (t ~ /us$/) { sub(/us$/, "", t); v = t / 1000 }
    else if (t ~ /ms$/) { sub(/ms$/, "", t); v = t }
    else if (t ~ /s$/) { sub(/s$/, "", t); v = t * 1000 }
    else if (t ~ /m$/) { sub(/m$/, "", t); v = t * 60000 }
    else if (t ~ /h$/) { sub(/h$/, "", t); v = t * 3600000 }
    else { v = "" }
    if (v == "") print "?"; else printf "%.2f", v
  }'
}
