# Shell helpers shared by the contract check and the benchmark scripts: sourced after `cd` to the
# repository root.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing $* with apt" >&2
  $sudo apt-get install -y -q "$@" >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "$@" >/dev/null; }
}
