#!/bin/bash
# Coverage-guided fuzzing of every parser of untrusted input (tests/fuzz).
#
# Builds the libFuzzer targets with clang (ASan + UBSan) in their own
# build directory, writes fresh seed corpora from real messages
# (seed_gen), then runs each target for a fixed time, two at a time.
# Fails loudly on any crash, leak, hang or broken invariant and prints
# the reproducer; rerun one with `BUILD/tests/<target> REPRODUCER`.
#
#   SCOUT6_FUZZ_SECONDS  seconds per target (default 20)
#   SCOUT6_FUZZ_JOBS     targets run at once, and build jobs (default 2)
#   SCOUT6_FUZZ_BUILD    build directory (default build-fuzz)
#   SCOUT6_FUZZ_TARGETS  space-separated subset (default: all)
#   SCOUT6_FUZZ_EXTRA_<target>  extra libFuzzer flags for one target,
#                        e.g. SCOUT6_FUZZ_EXTRA_config_fuzz=-only_ascii=1
#
# Corpora grow in BUILD/fuzz/corpus/<target> and are kept between runs;
# crash inputs land in BUILD/fuzz/artifacts/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECS=${SCOUT6_FUZZ_SECONDS:-20}
JOBS=${SCOUT6_FUZZ_JOBS:-2}
BUILD=${SCOUT6_FUZZ_BUILD:-build-fuzz}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
ALL_TARGETS="scout_fuzz esp_fuzz ike_wire_fuzz ike_engine_fuzz node_fuzz
             config_fuzz"
TARGETS=${SCOUT6_FUZZ_TARGETS:-$ALL_TARGETS}
# Debian 12 packages for clang's libFuzzer and sanitizer runtimes.
CLANG_PACKAGES=(clang libclang-rt-14-dev)

say() { echo "fuzz.sh: $*"; }
die() {
    echo "fuzz.sh: FAILED: $*" >&2
    exit 1
}

# clang must be able to link a libFuzzer binary; install it if not.
have_libfuzzer() {
    local dir
    dir=$(mktemp -d)
    echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long)
          { return 0; }' >"$dir/t.cpp"
    clang++ -fsanitize=fuzzer,address,undefined "$dir/t.cpp" -o "$dir/t" \
        >/dev/null 2>&1
    local rc=$?
    rm -rf "$dir"
    return $rc
}
if ! command -v clang++ >/dev/null || ! have_libfuzzer; then
    [[ $(id -u) -eq 0 ]] || die "clang with libFuzzer missing; as root run:
    apt-get install -y ${CLANG_PACKAGES[*]}"
    say "installing ${CLANG_PACKAGES[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "${CLANG_PACKAGES[@]}" >/dev/null
    have_libfuzzer || die "clang still cannot link -fsanitize=fuzzer"
fi

# tests/CMakeLists.txt pulls in tests/fuzz/fuzz.cmake; until that hook is
# there, a two-line wrapper project includes it after the whole tree.
SRC=$ROOT
BIN_TESTS=$BUILD/tests
if ! grep -q 'fuzz/fuzz.cmake' "$ROOT/tests/CMakeLists.txt"; then
    SRC=$BUILD/wrapper
    BIN_TESTS=$BUILD
    mkdir -p "$SRC"
    cat >"$SRC/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.22)
project(scout6_fuzz_wrapper LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(SCOUT6_TESTS OFF CACHE BOOL "" FORCE)
add_subdirectory("$ROOT" scout6)
include("$ROOT/tests/fuzz/fuzz.cmake")
EOF
fi

mkdir -p "$BUILD"
say "configuring $BUILD"
# -O1 and line tables only: libFuzzer's usual trade of speed for build
# time, which dominates a short run. NDEBUG as in release builds (scout6
# has no assert(); toml++'s own asserts fire on inputs like "[~" and would
# stop config_fuzz at once, though release builds handle them).
cmake -S "$SRC" -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DSCOUT6_FUZZ=ON >"$BUILD/fuzz-cmake.log" \
    2>&1 || {
    cat "$BUILD/fuzz-cmake.log"
    die "cmake configure"
}
say "building the fuzz targets (-j$JOBS)"
# shellcheck disable=SC2086
cmake --build "$BUILD" -j"$JOBS" --target seed_gen $TARGETS \
    >"$BUILD/fuzz-build.log" 2>&1 || {
    tail -n 60 "$BUILD/fuzz-build.log"
    die "build (full log: $BUILD/fuzz-build.log)"
}

FUZZ=$BUILD/fuzz
SEEDS=$FUZZ/seeds
rm -rf "$SEEDS"
"$BIN_TESTS/seed_gen" "$SEEDS" "$ROOT/docs/scout6.example.toml" ||
    die "seed_gen"
mkdir -p "$FUZZ/artifacts" "$FUZZ/logs"

# run_one TARGET: fuzz it for SECS seconds; non-zero on any finding.
run_one() {
    local t=$1
    local corpus=$FUZZ/corpus/$t
    local extra_var=SCOUT6_FUZZ_EXTRA_$t
    local -a extra
    read -r -a extra <<<"${!extra_var:-}"
    mkdir -p "$corpus" "$SEEDS/$t"
    # -timeout: one input taking 10 s is a hang. -error_exitcode and
    # -timeout_exitcode keep findings apart from a clean end.
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        "$BIN_TESTS/$t" -max_total_time="$SECS" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$FUZZ/artifacts/$t-" "${extra[@]}" \
        "$corpus" "$SEEDS/$t" >"$FUZZ/logs/$t.log" 2>&1
}

say "fuzzing each target for ${SECS}s, $JOBS at a time"
declare -A PIDS=()
FAILED=()
for t in $TARGETS; do
    [[ -x $BIN_TESTS/$t ]] || die "$t was not built"
done
finish() {
    local t=$1 rc=0
    wait "${PIDS[$t]}" || rc=$?
    unset "PIDS[$t]"
    local execs
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' \
        "$FUZZ/logs/$t.log" | grep -o '[0-9]*$' || echo "?")
    if [[ $rc -eq 0 ]]; then
        say "$t: ok ($execs inputs)"
    else
        FAILED+=("$t")
        echo
        echo "======== $t: FINDING (exit $rc) ========"
        grep -E 'ERROR|invariant failed|SUMMARY|runtime error' \
            "$FUZZ/logs/$t.log" | head -n 20 || true
        grep -A 40 -m1 -E '^==[0-9]+==ERROR|invariant failed|runtime error' \
            "$FUZZ/logs/$t.log" | head -n 50 || true
        local repro
        repro=$(grep -o 'Test unit written to [^ ]*' "$FUZZ/logs/$t.log" |
            sed 's/Test unit written to //' | tail -n 1 || true)
        echo "log:        $FUZZ/logs/$t.log"
        echo "reproducer: ${repro:-none written (see the log)}"
        [[ -n $repro ]] && echo "rerun:      $BIN_TESTS/$t $repro"
        echo
    fi
}
for t in $TARGETS; do
    while [[ ${#PIDS[@]} -ge $JOBS ]]; do
        wait -n || true
        for p in "${!PIDS[@]}"; do
            kill -0 "${PIDS[$p]}" 2>/dev/null || finish "$p"
        done
    done
    run_one "$t" &
    PIDS[$t]=$!
done
for p in "${!PIDS[@]}"; do finish "$p"; done

if [[ ${#FAILED[@]} -gt 0 ]]; then
    die "findings in: ${FAILED[*]} (reproducers under $FUZZ/artifacts)"
fi
say "all targets clean"
