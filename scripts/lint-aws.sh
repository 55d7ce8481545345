#!/usr/bin/env bash
# Lints the AWS template (deploy/aws/*.yaml) with cfn-lint and checkov; exit status non-zero when
# either finds anything. Every check checkov skips is named in the template with its reason
# (`# checkov:skip=ID: reason`).
#
#   scripts/lint-aws.sh            lint (installs what is missing first)
#   scripts/lint-aws.sh --install  only install: cfn-lint into .venv (tests/requirements.txt),
#                                  checkov into .venv-checkov
#
# checkov pins an older botocore than the project's boto3 needs, so it lives in a virtualenv of
# its own, .venv-checkov (git ignores it through the .gitignore this script writes into it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
checkov_version=3.3.30
checkov_venv="$root/.venv-checkov"
templates=(deploy/aws/*.yaml)

"$root/scripts/venv.sh"
if [ ! -x "$checkov_venv/bin/checkov" ] || [ "$(cat "$checkov_venv/.version" 2>/dev/null)" != "$checkov_version" ]; then
  echo "lint-aws: installing checkov $checkov_version into .venv-checkov" >&2
  python3 -m venv "$checkov_venv"
  printf '*\n' >"$checkov_venv/.gitignore"
  "$checkov_venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$checkov_version"
  echo "$checkov_version" >"$checkov_venv/.version"
fi
[ "${1:-}" = "--install" ] && exit 0

status=0
echo "== cfn-lint $("$root/.venv/bin/cfn-lint" --version | awk '{print $2}') ${templates[*]}"
if "$root/.venv/bin/cfn-lint" "${templates[@]}"; then
  echo "cfn-lint: no findings"
else
  status=1
fi

echo "== checkov $checkov_version ${templates[*]}"
# --skip-download: no calls to the vendor's platform (none are needed to run the checks).
args=(--skip-download --framework cloudformation --output json)
for template in "${templates[@]}"; do args+=(-f "$template"); done
report="$checkov_venv/last-report.json"
"$checkov_venv/bin/checkov" "${args[@]}" >"$report" 2>"$checkov_venv/last-run.log" || true
python3 - "$report" "$checkov_venv/last-run.log" <<'PY' || status=1
import json, sys
text = open(sys.argv[1]).read()
try:
    reports = json.loads(text)
except ValueError:
    print("checkov: no report;", (text or open(sys.argv[2]).read())[-3000:])
    sys.exit(1)
failed = 0
for report in reports if isinstance(reports, list) else [reports]:
    summary = report.get("summary", {})
    failed += summary.get("failed", 0) + summary.get("parsing_errors", 0)
    print("checkov: {} passed, {} failed, {} skipped (each with its reason in the template), {} parsing errors".format(
        summary.get("passed", 0), summary.get("failed", 0), summary.get("skipped", 0), summary.get("parsing_errors", 0)))
    results = report.get("results", {})
    for check in results.get("failed_checks", []):
        print("  FAILED {} {}: {} ({}:{})".format(check["check_id"], check["check_name"], check["resource"],
                                                  check["file_path"], check["file_line_range"][0]))
    for check in results.get("skipped_checks", []):
        reason = (check.get("check_result") or {}).get("suppress_comment", "").strip()
        print("  skipped {} on {}: {}".format(check["check_id"], check["resource"], reason))
sys.exit(1 if failed else 0)
PY
exit $status
