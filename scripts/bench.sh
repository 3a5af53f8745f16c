#!/bin/bash
# scout6 benchmarks (see docs/performance.md).
#
#   scripts/bench.sh [net] [throughput.py options]
#       as root: scout6 vs plain veth, strongSwan (kernel-libipsec) and
#       wireguard-go in network namespaces; iperf3 throughput, RTT and
#       daemon CPU. Installs the peers' Debian packages when their
#       programs are missing (and says so), builds scout6 if needed.
#       Example: scripts/bench.sh --rounds 5 --duration 10
#                scripts/bench.sh --only veth,scout6 --rounds 1
#   scripts/bench.sh micro
#       builds and runs the in-process benchmarks: esp_bench,
#       handshake_bench, scale_bench (no root needed).
#
#   SCOUT6_BUILD_DIR  build directory (default: build, in the repo)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${SCOUT6_BUILD_DIR:-build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR

mode=net
if [[ ${1:-} == net || ${1:-} == micro ]]; then
    mode=$1
    shift
fi

if [[ $mode == micro ]]; then
    cmake -S "$ROOT" -B "$BUILD_DIR" >/dev/null
    cmake --build "$BUILD_DIR" -j"$(nproc)" \
        --target esp_bench handshake_bench scale_bench
    "$BUILD_DIR/bench/esp_bench" --benchmark_min_time=0.5
    "$BUILD_DIR/bench/handshake_bench" --benchmark_min_time=2
    "$BUILD_DIR/bench/scale_bench" "$@"
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "scripts/bench.sh must run as root (namespaces, TUN)" >&2
    exit 1
fi

# program -> Debian package that provides it
declare -A need=(
    [iperf3]=iperf3
    [ping]=iputils-ping
    [ip]=iproute2
    [wireguard-go]=wireguard-go
    [wg]=wireguard-tools
    [swanctl]=strongswan-swanctl
    [/usr/lib/ipsec/charon]=strongswan-charon
)
missing=()
for prog in "${!need[@]}"; do
    command -v "$prog" >/dev/null 2>&1 || [[ -x $prog ]] ||
        missing+=("${need[$prog]}")
done
if ((${#missing[@]})); then
    # The charon plugins: kernel-libipsec (libcharon-extra-plugins),
    # curve25519 (libstrongswan-extra-plugins), openssl/gcm
    # (libstrongswan-standard-plugins, only a Recommends).
    [[ " ${missing[*]} " == *" strongswan-charon "* ]] &&
        missing+=(libcharon-extra-plugins libstrongswan-extra-plugins
            libstrongswan-standard-plugins)
    echo "bench.sh: installing missing packages: ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y \
        --no-install-recommends --no-upgrade "${missing[@]}" >&2
fi

if [[ ! -x $BUILD_DIR/cli/scout6 ]]; then
    SCOUT6_BUILD_DIR=$BUILD_DIR bash "$ROOT/scripts/build.sh" >&2
fi

PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
exec "$PY" "$ROOT/bench/throughput.py" --scout6 "$BUILD_DIR/cli/scout6" "$@"
