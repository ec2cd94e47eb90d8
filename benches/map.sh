#!/usr/bin/env bash
# Benchmarks the map at scale: a city viewport over a synthetic directory (benches/synthetic.sql,
# spread over Great Britain like the population), drawn three ways at the same concurrency:
#   bbox        GET /v1/assets?bbox=<the viewport>&limit=100, the search a map used before tiles;
#   tiles cold  GET /v1/map/tiles/{z}/{x}/{y} for every tile of the viewport, each built from the
#               database (a server with --map-tile-cache 0): the raw query behind a tile;
#   tiles       the same with the tile cache, as served.
# The viewport is a 1280×800 desktop map centred on Manchester (53.4808, -2.2426) at each zoom of
# ZOOMS. For each way: wrk (per request) at 1 and CONNECTIONS connections, and for tiles
# `community-assets bench-viewports` (whole viewports, six tiles at a time per client as a
# browser loads them) at CONNECTIONS clients. Prints a markdown table; record figures in docs/benchmarks.md.
#
#   benches/map.sh                   # 1,000,000 assets
#   benches/map.sh 100000            # another size
#   DURATION=15 CONNECTIONS=8 THREADS=2 ZOOMS="11 13 15" SEED=0.42 benches/map.sh
#
# Loads only 127.0.0.1. Everything it starts is stopped and its temp dir deleted on exit. The 1M
# load takes a few minutes (synthetic.sql) and ~3 GB of disk under TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

n=${1:-1000000}
duration=${DURATION:-10}
connections=${CONNECTIONS:-8}
threads=${THREADS:-2}
seed=${SEED:-0.42}
read -r -a zooms <<<"${ZOOMS:-11 13 15}"

. benches/common.sh
for v in "$n" "$duration" "$connections" "$threads"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || die "the size, DURATION, CONNECTIONS and THREADS must be positive integers"
done
for z in "${zooms[@]}"; do
  [[ $z =~ ^[0-9]+$ ]] && [ "$z" -le 20 ] || die "ZOOMS must be zooms 0 to 20, not '$z'"
done

bench_tools
cargo build --release --locked -q
bin=$root/target/release/community-assets

work=$(mktemp -d "${TMPDIR:-/tmp}/community-assets-map-bench.XXXXXX")
chmod 755 "$work"
server=""
cluster_dir="$work/pg"
cluster_port=$(free_port)
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  "$bin" cluster stop --data-dir "$cluster_dir" --pg-port "$cluster_port" >>"$work/cluster.log" 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2)" >&2

url=$("$bin" cluster start --ephemeral --data-dir "$cluster_dir" --pg-port "$cluster_port" \
        --database bench_map 2>>"$work/cluster.log") || fail_with_log "$work/cluster.log" "starting the cluster failed"
DATABASE_URL=$url "$bin" migrate >"$work/migrate.log" 2>&1 || fail_with_log "$work/migrate.log" "migrate failed"
start=$SECONDS
"$psql" "$url" -X -q -v ON_ERROR_STOP=1 -v n="$n" -v seed="$seed" -f benches/synthetic.sql \
  >"$work/synthetic.log" 2>&1 || fail_with_log "$work/synthetic.log" "synthetic.sql failed"
echo "synthetic.sql: $n assets in $((SECONDS - start)) s; database $("$psql" "$url" -X -At -c "SELECT pg_size_pretty(pg_database_size(current_database()))")" >&2

# serve CACHE_TILES: a release server on a free port (sets $server and $port).
serve() {
  port=$(free_port)
  DATABASE_URL=$url "$bin" serve --bind "127.0.0.1:$port" --demo-data false --map-tile-cache "$1" \
    --rate-limit-per-ip 0 --rate-limit-per-key 0 >"$work/serve.log" 2>&1 &
  server=$!
  wait_ready "$port" "$work/serve.log"
}

# The viewport's tiles (one path a line) into $work/tiles-Z.txt; its bounding box on stdout.
viewport() {
  python3 - "$1" "$work/tiles-$1.txt" <<'PY'
import math, sys
z, out = int(sys.argv[1]), sys.argv[2]
lat, lon, w, h = 53.4808, -2.2426, 1280, 800
size = 256 * 2 ** z
cx = (lon + 180) / 360 * size
cy = (1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * size
x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
with open(out, "w") as f:
    for ty in range(int(y0 // 256), int(y1 // 256) + 1):
        for tx in range(int(x0 // 256), int(x1 // 256) + 1):
            f.write(f"/v1/map/tiles/{z}/{tx}/{ty}\n")
def lon_of(x): return x / size * 360 - 180
def lat_of(y): return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / size))))
print(f"{lon_of(x0):.5f},{lat_of(y1):.5f},{lon_of(x1):.5f},{lat_of(y0):.5f}")
PY
}

# wrk_run NAME CONNECTIONS PATHS_FILE: one table row (req/s, p50, p99).
wrk_run() {
  local name=$1 c=$2 file=$3 t=$threads
  [ "$t" -le "$c" ] || t=$c
  local out
  out=$(wrk -t"$t" -c"$c" -d"${duration}s" --latency -s benches/map.lua "http://127.0.0.1:$port" -- "$file") \
    || die "wrk failed ($name)"
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  [ -z "$bad" ] || { echo "$out" >&2; die "$name: $bad answers were not 2xx"; }
  echo "$rps $p50 $p99"
}

rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); echo "${rows[-1]}" >&2; }

# viewport_row Z HOW: whole viewports of zoom Z loaded by CONNECTIONS clients, as one row.
viewport_row() {
  local tiles vp
  tiles=$(wc -l <"$work/tiles-$1.txt")
  vp=$("$bin" bench-viewports --base "http://127.0.0.1:$port" --tiles "$work/tiles-$1.txt" \
         --clients "$connections" --seconds "$duration") || die "bench-viewports failed (zoom $1)"
  row "$1" "whole viewport ($tiles tiles), $2" "$connections" \
    "$(sed -E 's/.*viewports: ([0-9.]+)\/s.*/\1 viewports/' <<<"$vp")" \
    "$(sed -E 's/.* p50 ([0-9.]+) ms.*/\1/' <<<"$vp")" "$(sed -E 's/.* p99 ([0-9.]+) ms.*/\1/' <<<"$vp")"
}

# 1. The bbox search and the tiles built per request (no tile cache).
serve 0
for z in "${zooms[@]}"; do
  bbox=$(viewport "$z")
  tiles=$(wc -l <"$work/tiles-$z.txt")
  echo "/v1/assets?bbox=$bbox&limit=100" >"$work/bbox-$z.txt"
  curl -fsS "http://127.0.0.1:$port/v1/assets?bbox=$bbox&limit=100" -o "$work/bbox.json" \
    || die "the bbox search failed"
  features=0
  while read -r path; do
    features=$((features + $(curl -fsS "http://127.0.0.1:$port$path" | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])')))
  done <"$work/tiles-$z.txt"
  echo "zoom $z: $tiles tiles holding $features assets; bbox $bbox" >&2
  for c in 1 "$connections"; do
    read -r rps p50 p99 < <(wrk_run "bbox z$z" "$c" "$work/bbox-$z.txt")
    row "$z" "bbox search (limit 100)" "$c" "$rps" "$p50" "$p99"
    read -r rps p50 p99 < <(wrk_run "cold z$z" "$c" "$work/tiles-$z.txt")
    row "$z" "tile, built per request" "$c" "$rps" "$p50" "$p99"
  done
  viewport_row "$z" "built per request"
done
stop_server

# 2. The tiles as served: cached after their first request.
serve 20000
for z in "${zooms[@]}"; do
  while read -r path; do curl -fsS -o /dev/null "http://127.0.0.1:$port$path"; done <"$work/tiles-$z.txt"
  for c in 1 "$connections"; do
    read -r rps p50 p99 < <(wrk_run "cached z$z" "$c" "$work/tiles-$z.txt")
    row "$z" "tile, cached" "$c" "$rps" "$p50" "$p99"
  done
  viewport_row "$z" "cached"
done
stop_server

echo "| zoom | what | clients | per second | p50 ms | p99 ms |"
echo "|---:|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
