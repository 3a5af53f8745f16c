#!/bin/bash
# Install everything scout6 needs to build, test and run its lab, on
# Debian 12, as root, without questions. Safe to run again: when every
# package is already installed it does nothing (no apt-get at all).
#
# The strongSwan packages are the interop peer for interop/. Installing
# them must not start the distribution's strongSwan service: a
# policy-rc.d that refuses every start is put in place for the duration
# of the install (unless one is there already), and on a systemd host the
# units are disabled again afterwards.
set -euo pipefail

PACKAGES=(
    # build
    build-essential cmake pkg-config clang-format git ca-certificates
    libsodium-dev libssl-dev libuv1-dev libtomlplusplus-dev
    libboost-test-dev libexpected-dev libcli11-dev libspdlog-dev
    libfmt-dev nlohmann-json3-dev libbenchmark-dev
    # fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizers
    clang libclang-rt-14-dev
    # namespace tests and the lab
    iproute2 nftables tcpdump iperf3 iputils-ping python3 procps kmod
    # interop peer: charon, swanctl, kernel-libipsec (extra plugins),
    # chapoly/curve25519 (extra), openssl/gcm (standard, a Recommends
    # that --no-install-recommends would otherwise leave out)
    strongswan-charon strongswan-swanctl libcharon-extra-plugins
    libstrongswan-extra-plugins libstrongswan-standard-plugins
)
STRONGSWAN_UNITS=(strongswan-starter.service strongswan.service)

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps.sh: must run as root" >&2
    exit 1
fi

# Prints the packages of "$@" that are not fully installed.
not_installed() {
    local -A ok=()
    local name status
    while read -r name status; do
        [[ $status == ii ]] && ok[$name]=1
    done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" \
        2>/dev/null || true)
    for name in "$@"; do
        [[ -n ${ok[$name]:-} ]] || echo "$name"
    done
}

mapfile -t missing < <(not_installed "${PACKAGES[@]}")
if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $POLICY ]]; then
    printf '#!/bin/sh\n# scout6 install-deps: start no service\nexit 101\n' \
        >"$POLICY"
    chmod 0755 "$POLICY"
    own_policy=1
fi
cleanup() {
    if [[ $own_policy -eq 1 ]]; then rm -f "$POLICY"; fi
}
trap cleanup EXIT

apt_get() {
    apt-get -y -q -o Dpkg::Options::=--force-confdef \
        -o Dpkg::Options::=--force-confold "$@" </dev/null
}
for attempt in 1 2 3; do
    if apt_get update; then break; fi
    if [[ $attempt -eq 3 ]]; then
        echo "install-deps: apt-get update failed" >&2
        exit 1
    fi
    sleep $((attempt * 5))
done
apt_get install --no-install-recommends "${missing[@]}"

# A systemd host enables the units at install time even though
# policy-rc.d kept them from starting; keep them off across reboots too.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; then
    for unit in "${STRONGSWAN_UNITS[@]}"; do
        systemctl disable --now "$unit" >/dev/null 2>&1 || true
    done
fi

mapfile -t still < <(not_installed "${PACKAGES[@]}")
if [[ ${#still[@]} -ne 0 ]]; then
    echo "install-deps: still not installed: ${still[*]}" >&2
    exit 1
fi
echo "install-deps: done"
