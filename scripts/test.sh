#!/bin/bash
# The scout6 test command (CI runs exactly this, via .ci/run).
#
# As root on Debian 12, from a clean clone, with no input:
#   1. install the dependencies (scripts/install-deps.sh)
#   2. check the formatting of every .cpp/.hpp (clang-format --dry-run)
#   3. build (scripts/build.sh)
#   4. unit tests (ctest)
#   5. network tests in namespaces (tests/netns/test_netns.py)
#   6. interop with strongSwan (interop/test_interop.py)
#   7. a short fuzzing run of every parser (scripts/fuzz.sh)
# Every stage runs even when an earlier test stage failed (a failed
# install or build stops the run: nothing after it can mean anything).
# Ends with a table and "total: N passed, M failed"; the exit status is
# non-zero when anything failed or a required tool is missing.
#
#   SCOUT6_BUILD_DIR  build directory (default build)
#   SCOUT6_SKIP_DEPS=1  do not run install-deps.sh
#   SCOUT6_KEEP=1     keep lab files (captures, logs) of passing tests too
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export SCOUT6_BUILD_DIR=${SCOUT6_BUILD_DIR:-build}
BUILD_DIR=$SCOUT6_BUILD_DIR
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
PY=${PYTHON:-/usr/bin/python3}
[[ -x $PY ]] || PY=python3
STAGE_TIMEOUT=${SCOUT6_STAGE_TIMEOUT:-900}

OUT=$(mktemp -d /tmp/scout6-test.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
T0=$SECONDS
NAMES=() VERDICTS=() SECS=() DETAILS=()
PASSED=0 FAILED=0

# record NAME RC SECONDS PASSED FAILED: one summary row; a stage that ran
# tests reports their counts, any other stage counts as one test.
record() {
    local verdict=ok
    [[ $2 -eq 0 ]] || verdict=FAIL
    NAMES+=("$1") VERDICTS+=("$verdict") SECS+=("$3")
    DETAILS+=("$4 passed, $5 failed")
    PASSED=$((PASSED + $4)) FAILED=$((FAILED + $5))
}

# stage NAME COMMAND...: run, time, record as a single test.
stage() {
    local name=$1
    shift
    echo
    echo "=============== $name"
    local t=$SECONDS rc=0
    "$@" || rc=$?
    if [[ $rc -eq 0 ]]; then
        record "$name" 0 $((SECONDS - t)) 1 0
    else
        echo "$name: FAILED (exit $rc)"
        record "$name" "$rc" $((SECONDS - t)) 0 1
    fi
    return $rc
}

# counts FILE: "P F" from a results file of a python runner.
py_counts() {
    "$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(len(d["passed"]), len(d["failed"]))' "$1" 2>/dev/null
}

# py_stage NAME SCRIPT: a python test runner, counted per test.
py_stage() {
    local name=$1 script=$2
    echo
    echo "=============== $name"
    local t=$SECONDS rc=0 counts
    rm -f "$OUT/$name.json"
    SCOUT6_RESULTS=$OUT/$name.json timeout --kill-after=30 \
        "$STAGE_TIMEOUT" "$PY" "$script" </dev/null || rc=$?
    if counts=$(py_counts "$OUT/$name.json"); then
        read -r p f <<<"$counts"
        if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
    else
        p=0 f=1
        echo "$name: no results (exit $rc)"
    fi
    [[ $rc -eq 0 ]] || echo "$name: FAILED (exit $rc)"
    record "$name" "$rc" $((SECONDS - t)) "$p" "$f"
}

ctest_stage() {
    echo
    echo "=============== unit"
    local t=$SECONDS rc=0 counts p f
    ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error \
        -j"$(nproc)" --timeout 300 --output-junit "$OUT/ctest.xml" || rc=$?
    if counts=$("$PY" -c 'import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
p = f = 0
for c in cases:
    bad = c.find("failure") is not None or c.find("error") is not None \
        or c.find("skipped") is not None or c.get("status") == "fail"
    f, p = (f + 1, p) if bad else (f, p + 1)
print(p, f)' "$OUT/ctest.xml" 2>/dev/null); then
        read -r p f <<<"$counts"
        if [[ $rc -ne 0 && $f -eq 0 ]]; then f=1; fi
    else
        p=0 f=1
    fi
    record unit "$rc" $((SECONDS - t)) "$p" "$f"
}

check_format() {
    local files
    mapfile -t files < <(find "$ROOT" \( -path "$ROOT/build*" -o \
        -path "$ROOT/.git" -o -path "$ROOT/out" \) -prune -o -type f \
        \( -name '*.cpp' -o -name '*.hpp' \) -print | sort)
    if [[ ${#files[@]} -eq 0 ]]; then
        echo "format: no .cpp/.hpp files found" >&2
        return 1
    fi
    echo "clang-format --dry-run --Werror on ${#files[@]} files"
    clang-format --dry-run --Werror "${files[@]}"
}

check_tools() {
    local missing=() tool
    for tool in cmake ctest clang-format ip nft tcpdump ping sysctl \
        swanctl timeout; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    [[ -x $PY ]] || command -v "$PY" >/dev/null || missing+=(python3)
    if ! [[ -x /usr/lib/ipsec/charon || -x /usr/libexec/ipsec/charon ]]; then
        missing+=(charon)
    fi
    if [[ ${#missing[@]} -ne 0 ]]; then
        echo "required tools missing: ${missing[*]}" >&2
        return 1
    fi
    echo "all required tools present"
}

summary() {
    echo
    echo "=============== summary"
    local i
    for i in "${!NAMES[@]}"; do
        printf '%-8s %-5s %5ss  %s\n' "${NAMES[$i]}" "${VERDICTS[$i]}" \
            "${SECS[$i]}" "${DETAILS[$i]}"
    done
    echo "wall time: $((SECONDS - T0))s"
    echo "total: $PASSED passed, $FAILED failed"
}

if [[ $(id -u) -ne 0 ]]; then
    echo "scripts/test.sh must run as root (namespaces, TUN, nftables)" >&2
    exit 1
fi

if [[ ${SCOUT6_SKIP_DEPS:-0} != 1 ]]; then
    if ! stage deps bash "$ROOT/scripts/install-deps.sh" </dev/null; then
        summary
        exit 1
    fi
fi
if ! stage tools check_tools; then
    summary
    exit 1
fi
stage format check_format
if ! stage build bash "$ROOT/scripts/build.sh" </dev/null; then
    summary
    exit 1
fi
ctest_stage
py_stage netns "$ROOT/tests/netns/test_netns.py"
py_stage interop "$ROOT/interop/test_interop.py"
stage fuzz bash "$ROOT/scripts/fuzz.sh" </dev/null
summary
[[ $FAILED -eq 0 ]]
