#!/bin/bash
# Show scout6 at work, as root on Debian 12: install the dependencies,
# build, then run the paper's topology H1 - R1 - R2 - H2 in network
# namespaces with scout6 on H1 and H2, send real traffic and report which
# links carried it encrypted, the channel's mode and its discovery and
# handshake times. Everything it creates is removed at the end, also on
# Ctrl-C or failure. Arguments go to tests/netns/lab.py (--mb N, --plain,
# --keep).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ $(id -u) -ne 0 ]]; then
    echo "scripts/lab.sh must run as root (namespaces, TUN, nftables)" >&2
    exit 1
fi
bash "$ROOT/scripts/install-deps.sh" </dev/null
bash "$ROOT/scripts/build.sh" </dev/null
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
exec "$PY" "$ROOT/tests/netns/lab.py" "$@"
