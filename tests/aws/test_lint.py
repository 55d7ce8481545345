"""`make lint-aws` (scripts/lint-aws.sh: cfn-lint and checkov on deploy/aws) passes, so that `make test`,
and with it CI, runs the template's linters."""
import subprocess

from cfn_template import ROOT


def test_cfn_lint_and_checkov_pass():
    result = subprocess.run([str(ROOT / "scripts" / "lint-aws.sh")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cfn-lint: no findings" in result.stdout
    assert "checkov: " in result.stdout and " 0 failed" in result.stdout
