#!/usr/bin/env bash
# Runs SwiftPM on one of the repository's packages in the shared scratch folder (.build):
#   scripts/swiftpm.sh build services/processor [-c release] [--product processor] ...
#   scripts/swiftpm.sh test services/notifier
#
# The packages share one scratch folder so that dependencies compile once. SwiftPM caches its build
# plan there (debug.yaml, release.yaml) and was seen to reuse the plan of the package built before
# (compiling the wrong package's modules, missing new files); removing the cached plan first makes
# it plan anew (a second or two) while every compiled object is still reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command=$1 package=$2
shift 2
export SWIFT_DETERMINISTIC_HASHING=1
rm -f "$root"/.build/debug.yaml "$root"/.build/release.yaml
exec swift "$command" --package-path "$root/$package" --scratch-path "$root/.build" "$@"
