#!/usr/bin/env bash
# Makes the project's Python environment (.venv) from tests/requirements.txt, only when it is
# missing or the requirements changed, and puts the project's test library (tests/lib:
# pipeline_testing) on its path, so that tests and benchmarks import it like an installed package.
# Prints nothing when there is nothing to do.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
requirements="$root/tests/requirements.txt"
stamp="$venv/.requirements.sha256"
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if ! { [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; }; then
  echo "venv: installing $(grep -cv '^\s*#' "$requirements") requirements into .venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  echo "$wanted" > "$stamp"
fi
# A .pth file: the checkout's tests/lib on sys.path of every .venv/bin/python (an editable install
# without a build step). Written each time, so a moved checkout points at itself.
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
line="$root/tests/lib"
[ "$(cat "$site/pipeline_testing.pth" 2>/dev/null)" = "$line" ] || echo "$line" > "$site/pipeline_testing.pth"
