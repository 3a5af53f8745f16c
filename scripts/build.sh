#!/bin/bash
# Configure and build scout6 (daemon, libraries, unit tests).
#   SCOUT6_BUILD_DIR   build directory (default: build, in the repo)
#   SCOUT6_BUILD_TYPE  CMake build type (default: RelWithDebInfo)
#   SCOUT6_JOBS        parallel jobs (default: nproc)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${SCOUT6_BUILD_DIR:-build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR

cmake -S "$ROOT" -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE="${SCOUT6_BUILD_TYPE:-RelWithDebInfo}" \
    -DSCOUT6_TESTS=ON
cmake --build "$BUILD_DIR" -j"${SCOUT6_JOBS:-$(nproc)}"
echo "build: $BUILD_DIR/cli/scout6"
