"""Reads deploy/aws/pipeline.yaml (CloudFormation's short tags included) and the queue policy that
pipeline-setup uses (QueuePolicy.swift), for the tests of the AWS template."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "deploy" / "aws" / "pipeline.yaml"
QUEUE_POLICY = ROOT / "shared" / "Pipeline" / "Sources" / "PipelineContract" / "QueuePolicy.swift"


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms: `!Ref X` → {"Ref": X}, `!Sub s` → {"Fn::Sub": s}, …"""


def _construct_tag(loader: _Loader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_Loader.add_multi_constructor("!", _construct_tag)


def load(path: Path = TEMPLATE) -> dict:
    return yaml.load(path.read_text(), Loader=_Loader)


def queue_policy() -> dict[str, int]:
    """QueuePolicy.swift's constants: maxReceiveCount, visibilityTimeoutSeconds, deadLetterRetentionSeconds."""
    text = QUEUE_POLICY.read_text()
    values = {}
    for name in ("maxReceiveCount", "visibilityTimeoutSeconds", "deadLetterRetentionSeconds"):
        match = re.search(rf"static let {name} = ([0-9_]+)", text)
        assert match, f"{name} not found in {QUEUE_POLICY}"
        values[name] = int(match.group(1).replace("_", ""))
    return values

