#!/usr/bin/env bash
# Runs SwiftPM on one of the repository's packages in the shared scratch folder (.build):
#   scripts/swiftpm.sh build services/processor [-c release] [--product processor] ...
#   scripts/swiftpm.sh test services/notifier
#
# The packages share one scratch folder so that dependencies compile once; shared/AWSClient alone
# has its own (.build-aws): it depends on fewer packages, and as a root package in the shared
# folder it would make SwiftPM drop the checkouts it does not use (Hummingbird, ...), which the
# next package would then clone and compile again. SwiftPM caches its build
# plan there (debug.yaml, release.yaml) and was seen to reuse the plan of the package built before
# (compiling the wrong package's modules, missing new files); removing the cached plan first makes
# it plan anew (a second or two) while every compiled object is still reused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command=$1 package=$2
shift 2
export SWIFT_DETERMINISTIC_HASHING=1
scratch="$root/.build"
[ "$package" = shared/AWSClient ] && scratch="$root/.build-aws"
rm -f "$scratch/debug.yaml" "$scratch/release.yaml"
exec swift "$command" --package-path "$root/$package" --scratch-path "$scratch" "$@"
