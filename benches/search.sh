#!/usr/bin/env bash
# Benchmarks the search endpoint, GET /v1/assets, on synthetic directories (benches/synthetic.sql)
# and compares it with the raw database query, both at the same concurrency.
#
#   benches/search.sh                    # sizes 10000 100000 1000000
#   benches/search.sh 10000 100000       # chosen sizes
#   DURATION=15 CONNECTIONS=8 THREADS=2 SEED=0.42 OUT_DIR=plans benches/search.sh
#
# For each size: a throwaway ephemeral PostgreSQL cluster on a free port, migrated and filled with
# n published assets; a release server on 127.0.0.1; then for each search
#   near      lat=53.4808&lon=-2.2426&radius_km=5&limit=20           (Manchester)
#   football  the same & interest=football                           (the most popular interest, ~40%)
# wrk (THREADS threads, CONNECTIONS connections, DURATION seconds) against the endpoint, then
# `community-assets bench-search` (CONNECTIONS clients, DURATION seconds) for the raw query.
# EXPLAIN ANALYZE plans go to OUT_DIR/plan-<n>-<search>.txt (OUT_DIR: a new temp dir unless set;
# it is kept). Prints a markdown table at the end. Load generator, server and database share the
# machine, so read the ratios rather than the absolutes. Record figures in docs/benchmarks.md.
# Loads only 127.0.0.1. Everything it starts is stopped and its temp dir deleted on exit.
# The 1M load takes a few minutes (synthetic.sql) and ~2 GB of disk under TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

duration=${DURATION:-10}
connections=${CONNECTIONS:-8}
threads=${THREADS:-2}
seed=${SEED:-0.42}
if [ $# -gt 0 ]; then sizes=("$@"); else sizes=(10000 100000 1000000); fi

. benches/common.sh
for v in "$duration" "$connections" "$threads"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || die "DURATION, CONNECTIONS and THREADS must be positive integers"
done
[ "$threads" -le "$connections" ] || die "THREADS ($threads) must not exceed CONNECTIONS ($connections) for wrk"
for n in "${sizes[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "sizes must be positive integers, not '$n'"
done

searches=(near football)
declare -A query=(
  [near]='lat=53.4808&lon=-2.2426&radius_km=5&limit=20'
  [football]='lat=53.4808&lon=-2.2426&radius_km=5&limit=20&interest=football'
)

# Tools -----------------------------------------------------------------------------------------

bench_tools

cargo build --release --locked -q
bin=$root/target/release/community-assets

# Processes and cleanup ---------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-search-bench.XXXXXX")
# The cluster runs as the postgres user when we are root: it must be able to enter this directory.
chmod 755 "$work"
if [ -z "${OUT_DIR:-}" ]; then
  OUT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-search-plans.XXXXXX")
fi
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)

server=""        # pid of the running server
cluster_dir=""   # data dir of the running cluster
cluster_port=""

stop_cluster() {
  if [ -n "$cluster_dir" ]; then
    "$bin" cluster stop --data-dir "$cluster_dir" --pg-port "$cluster_port" >>"$work/cluster.log" 2>&1 || true
    rm -rf "$cluster_dir"
    cluster_dir=""
  fi
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  stop_cluster
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


# Benchmark ---------------------------------------------------------------------------------------

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "wrk: $threads threads, $connections connections, ${duration}s per search; raw: $connections clients, ${duration}s"
echo "plans: $OUT_DIR"

rows=()
for n in "${sizes[@]}"; do
  echo
  echo "== $n assets"

  # 1. Cluster, schema, data.
  cluster_dir="$work/pg-$n"
  cluster_port=$(free_port)
  url=$("$bin" cluster start --ephemeral --data-dir "$cluster_dir" --pg-port "$cluster_port" \
          --database "bench_$n" 2>>"$work/cluster.log") \
    || fail_with_log "$work/cluster.log" "starting the cluster failed"
  [ -n "$url" ] || fail_with_log "$work/cluster.log" "cluster start printed no DATABASE_URL"
  DATABASE_URL=$url "$bin" migrate >"$work/migrate-$n.log" 2>&1 \
    || fail_with_log "$work/migrate-$n.log" "migrate failed"
  start=$SECONDS
  "$psql" "$url" -X -q -v ON_ERROR_STOP=1 -v n="$n" -v seed="$seed" -f benches/synthetic.sql \
    >"$work/synthetic-$n.log" 2>&1 || fail_with_log "$work/synthetic-$n.log" "synthetic.sql failed"
  echo "synthetic.sql: $((SECONDS - start)) s; $(awk '/\|/ && $1 ~ /^[0-9]+$/' "$work/synthetic-$n.log" | head -n 1 \
    | awk -F'|' '{gsub(/ /, ""); printf "%s organisations, %s venues, %s assets, %s asset_interests, %s sessions", $1, $2, $3, $4, $5}')"
  echo "database: $("$psql" "$url" -X -At -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"

  # 2. Server.
  port=$(free_port)
  DATABASE_URL=$url "$bin" serve --bind "127.0.0.1:$port" --demo-data false \
    --rate-limit-per-ip 0 --rate-limit-per-key 0 >"$work/serve-$n.log" 2>&1 &
  server=$!
  wait_ready "$port" "$work/serve-$n.log"

  for name in "${searches[@]}"; do
    q=${query[$name]}
    endpoint="http://127.0.0.1:$port/v1/assets?$q"

    # 3. One checked request, then wrk.
    code=$(curl -s -o "$work/response.json" -w '%{http_code}' "$endpoint" || true)
    [ "$code" = 200 ] || fail_with_log "$work/response.json" "GET /v1/assets?$q answered $code"
    hits=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$work/response.json") \
      || fail_with_log "$work/response.json" "GET /v1/assets?$q did not answer search results"
    [ "$hits" -gt 0 ] || fail_with_log "$work/response.json" "GET /v1/assets?$q found nothing"

    out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$endpoint") || die "wrk failed on $endpoint"
    echo "$out" >"$OUT_DIR/wrk-$n-$name.txt"
    http_rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    http_p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    http_p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
    socket_errors=$(grep -E '^ *Socket errors:' <<<"$out" | sed 's/^ *//' || true)
    [ -n "$http_rps" ] || { echo "$out" >&2; die "could not read wrk's output"; }

    # 4. The raw query at the same concurrency.
    raw_out=$(DATABASE_URL=$url "$bin" bench-search --query "$q" --clients "$connections" --seconds "$duration" 2>"$work/raw.log") \
      || fail_with_log "$work/raw.log" "bench-search failed"
    raw_line=$(grep -E '^raw: ' <<<"$raw_out" | tail -n 1)
    read -r raw_rps raw_p50 raw_p99 raw_rows < <(sed -nE \
      's/^raw: +([0-9.]+) +req\/s +p50 +([0-9.]+) +ms +p99 +([0-9.]+) +ms +rows +([0-9]+).*/\1 \2 \3 \4/p' <<<"$raw_line") \
      || { echo "$raw_out" >&2; die "could not read bench-search's output"; }

    # 5. The plan.
    DATABASE_URL=$url "$bin" explain-search --query "$q" >"$OUT_DIR/plan-$n-$name.txt" 2>"$work/explain.log" \
      || fail_with_log "$work/explain.log" "explain-search failed"

    ratio=$(awk -v h="$http_rps" -v r="$raw_rps" 'BEGIN { if (r > 0) printf "%.0f%%", 100 * h / r; else print "?" }')
    row=$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |' \
      "$n" "$name" "$http_rps" "$http_p50" "$http_p99" "$raw_rps" "$raw_p50" "$raw_p99" "$ratio" \
      "${non2xx:-0}${socket_errors:+ ($socket_errors)}" "$hits" "$raw_rows")
    rows+=("$row")
    echo "$row"
  done

  # 6. Stop this size's server and cluster before the next (the data dirs are large).
  stop_server
  stop_cluster
done

echo
echo "| assets | search | HTTP req/s | HTTP p50 ms | HTTP p99 ms | raw req/s | raw p50 ms | raw p99 ms | HTTP/raw | non-2xx | rows HTTP / raw |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
for name in "${searches[@]}"; do echo "$name: GET /v1/assets?${query[$name]}"; done
echo "plans and wrk output: $OUT_DIR"
