"""The upload API against its own published OpenAPI document, fuzzed by schemathesis.

Every check runs but positive-data acceptance: the document cannot express "the bytes are a valid
PNG", so a generated body that fits the schema is rightly refused. Two seeds, so a run covers more
than one path through the generator; the seed is printed for reproduction.
"""
import subprocess
from pathlib import Path

import pytest

from pipeline_testing.stack import Stack

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = ROOT / ".venv" / "bin" / "st"


@pytest.fixture(scope="module")
def upload_api(stack):
    """The upload API alone, on resources of its own."""
    if stack.external:
        pytest.skip("fuzzes a local upload API only")
    api = Stack(bin_dir=stack.bin_dir, upload_port=18381)
    api.setup_resources()
    api.start("upload-api")
    yield api
    api.stop()


@pytest.mark.parametrize("seed", [1, 20261201])
def test_published_openapi_holds(upload_api, seed):
    result = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{upload_api.upload_url}/openapi.yaml",
         "--checks", "all", "--exclude-checks", "positive_data_acceptance",
         "--max-examples", "40", "--seed", str(seed), "--request-timeout", "30"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )
    summary = "\n".join(line for line in result.stdout.splitlines() if "generated" in line or "issues" in line.lower())
    print(f"schemathesis seed {seed}: {summary}")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
