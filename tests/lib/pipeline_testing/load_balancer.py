"""The load balancer's routing, as the AWS template declares it, on 127.0.0.1: its listener rules
(path patterns matched as the load balancer matches them: case-sensitive, `*` any run of
characters, `?` one; the lowest priority number first) read from deploy/aws/pipeline.yaml, the
default action to the notifier, and `X-Forwarded-For` / `X-Forwarded-Proto` as the load balancer
sets them (the peer's address appended to whatever the client sent).

    with RoutingProxy(upload_port, notifier_port) as lb:
        requests.get(lb.url + "//metrics")   # the template's fixed 404, never a task

Sign-in actions (authenticate-cognito/oidc) are not played: the rule's forward is. Bodies are
read whole before forwarding, and each answer closes its connection (HTTP/1.0).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from .relay import HOP_BY_HOP, read_body, relay
from .stack import ROOT

TEMPLATE = ROOT / "deploy" / "aws" / "pipeline.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags, each read as {"Fn::Tag": value} (Ref as {"Ref": value})."""


def _tag(loader, suffix, node):
    value = (loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
             else loader.construct_sequence(node, deep=True) if isinstance(node, yaml.SequenceNode)
             else loader.construct_mapping(node, deep=True))
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _tag)


@dataclass
class Rule:
    priority: int
    patterns: list[str]
    header: tuple[str, list[str]] | None
    action: dict

    def matches(self, path: str, headers) -> bool:
        if self.patterns and not any(alb_match(pattern, path) for pattern in self.patterns):
            return False
        if self.header:
            name, values = self.header
            value = headers.get(name)
            return value is not None and any(alb_match(pattern, value) for pattern in values)
        return True


def alb_match(pattern: str, text: str) -> bool:
    """The load balancer's wildcard match: case-sensitive, `*` any run of characters, `?` one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.S) is not None


def resolve(value, conditions: dict[str, bool]):
    """`Fn::If` resolved by `conditions` (a condition not named there holds), `AWS::NoValue` dropped."""
    if isinstance(value, dict):
        if set(value) == {"Fn::If"}:
            name, yes, no = value["Fn::If"]
            return resolve(yes if conditions.get(name, True) else no, conditions)
        return {key: resolve(item, conditions) for key, item in value.items()}
    if isinstance(value, list):
        items = [resolve(item, conditions) for item in value]
        return [item for item in items if item != {"Ref": "AWS::NoValue"}]
    return value


def listener_rules(template: Path = TEMPLATE, conditions: dict[str, bool] | None = None) -> list[Rule]:
    """The listener rules of the deployment `conditions` describe (by default the template's own
    defaults: HTTPS, sign-in with Cognito)."""
    conditions = conditions or {}
    resources = yaml.load(template.read_text(), Loader=_CloudFormationLoader)["Resources"]
    rules = []
    for resource in resources.values():
        if resource["Type"] != "AWS::ElasticLoadBalancingV2::ListenerRule":
            continue
        if not conditions.get(resource.get("Condition", ""), True):
            continue
        properties = resolve(resource["Properties"], conditions)
        patterns, header = [], None
        for condition in properties["Conditions"]:
            if condition["Field"] == "path-pattern":
                patterns += condition["PathPatternConfig"]["Values"]
            elif condition["Field"] == "http-header":
                config = condition["HttpHeaderConfig"]
                header = (config["HttpHeaderName"], config["Values"])
        # The last action is the one that answers (after any sign-in action).
        rules.append(Rule(int(properties["Priority"]), patterns, header, properties["Actions"][-1]))
    return sorted(rules, key=lambda rule: rule.priority)


class RoutingProxy:
    def __init__(self, upload_port: int, notifier_port: int, template: Path = TEMPLATE) -> None:
        proxy = self
        self.rules = listener_rules(template)
        self.ports = {"UploadApiTargetGroup": upload_port, "NotifierTargetGroup": notifier_port}
        self.default_port = notifier_port

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:  # noqa: N802 - http.server's names
                proxy.route(self)

            do_POST = do_HEAD = do_OPTIONS = do_PUT = do_DELETE = do_GET

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "RoutingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        action = next((rule.action for rule in self.rules if rule.matches(path, handler.headers)), None)
        if action is not None and action["Type"] == "fixed-response":
            config = action["FixedResponseConfig"]
            body = config.get("MessageBody", "").encode()
            handler.send_response(int(config["StatusCode"]))
            handler.send_header("Content-Type", config.get("ContentType", "text/plain"))
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        port = self.default_port
        if action is not None and action["Type"] == "forward":
            port = self.ports[action["TargetGroupArn"]["Ref"]]
        self.forward(handler, port)

    @staticmethod
    def forward(handler: BaseHTTPRequestHandler, port: int) -> None:
        forwarded = [value for name, value in handler.headers.items() if name.lower() == "x-forwarded-for"]
        headers = {name: value for name, value in handler.headers.items()
                   if name.lower() not in HOP_BY_HOP and name.lower() not in ("x-forwarded-for", "x-forwarded-proto")}
        # As the load balancer does: the peer's address appended to what the client sent.
        headers["X-Forwarded-For"] = ", ".join([*forwarded, handler.client_address[0]])
        headers["X-Forwarded-Proto"] = "http"
        relay(handler, port, headers, read_body(handler))
