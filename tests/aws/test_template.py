"""deploy/aws/pipeline.yaml read as data: the task roles grant exactly what each service calls, the
containers get compose's environment, the load balancer serves the page and the API on one origin, and
scaling, alarms and storage are what the README says. (Lint: test_lint.py; on the emulator:
test_stack_on_emulator.py; queue settings against pipeline-setup: test_queue_settings.py.)"""
from __future__ import annotations

import pytest
import yaml

from cfn_template import ROOT, load

TEMPLATE = load()
RESOURCES = TEMPLATE["Resources"]
PARAMETERS = TEMPLATE["Parameters"]
SERVICES = {"upload-api": "UploadApi", "processor": "Processor", "notifier": "Notifier"}

# Every call each service makes (grep shared/AWSClient and services/*/Sources), as IAM actions on the
# template's resources. HeadBucket (readiness) is s3:ListBucket, HeadObject is s3:GetObject, a
# large upload's CreateMultipartUpload/UploadPart/CompleteMultipartUpload are s3:PutObject (its
# AbortMultipartUpload is its own action), DeleteMessageBatch is sqs:DeleteMessage, readiness's GetQueueAttributes(QueueArn) is
# sqs:GetQueueAttributes. The README's table says the same.
EXPECTED_GRANTS = {
    "UploadApiTaskRole": {
        ("s3:PutObject", "input objects"), ("s3:AbortMultipartUpload", "input objects"),
        ("s3:DeleteObject", "input objects"), ("s3:GetObject", "input objects"), ("s3:ListBucket", "input bucket"),
        ("sqs:GetQueueUrl", "input queue"), ("sqs:SendMessage", "input queue"), ("sqs:GetQueueAttributes", "input queue"),
        ("sqs:GetQueueUrl", "processed queue"), ("sqs:SendMessage", "processed queue"),
        # Each owner's uploads of the day, counted in the image table; DescribeTable for readiness.
        ("dynamodb:UpdateItem", "image table"), ("dynamodb:GetItem", "image table"), ("dynamodb:DescribeTable", "image table"),
    },
    "ProcessorTaskRole": {
        ("s3:GetObject", "input objects"), ("s3:ListBucket", "input bucket"),
        ("s3:PutObject", "processed objects"), ("s3:ListBucket", "processed bucket"),
        ("sqs:GetQueueUrl", "input queue"), ("sqs:ReceiveMessage", "input queue"), ("sqs:DeleteMessage", "input queue"),
        ("sqs:ChangeMessageVisibility", "input queue"), ("sqs:GetQueueAttributes", "input queue"),
        ("sqs:GetQueueUrl", "processed queue"), ("sqs:SendMessage", "processed queue"), ("sqs:GetQueueAttributes", "processed queue"),
    },
    "NotifierTaskRole": {
        # The images it serves, and HeadBucket for readiness (it lists no bucket: the table is the index).
        ("s3:GetObject", "input objects"), ("s3:GetObject", "processed objects"),
        ("s3:ListBucket", "input bucket"), ("s3:ListBucket", "processed bucket"),
        ("sqs:GetQueueUrl", "processed queue"), ("sqs:ReceiveMessage", "processed queue"),
        ("sqs:DeleteMessage", "processed queue"), ("sqs:GetQueueAttributes", "processed queue"),
        # The pipeline panel's queue depths.
        ("sqs:GetQueueUrl", "input queue"), ("sqs:GetQueueAttributes", "input queue"),
        ("sqs:GetQueueUrl", "input dead-letter queue"), ("sqs:GetQueueAttributes", "input dead-letter queue"),
        ("sqs:GetQueueUrl", "processed dead-letter queue"), ("sqs:GetQueueAttributes", "processed dead-letter queue"),
        # Administrators' review of the dead letters, and sending them back (a move task, or one by one).
        ("sqs:ReceiveMessage", "input dead-letter queue"), ("sqs:ChangeMessageVisibility", "input dead-letter queue"),
        ("sqs:DeleteMessage", "input dead-letter queue"), ("sqs:StartMessageMoveTask", "input dead-letter queue"),
        ("sqs:ListMessageMoveTasks", "input dead-letter queue"), ("sqs:SendMessage", "input queue"),
        # The image index: events applied, pages and single images read, readiness; its stream followed.
        ("dynamodb:UpdateItem", "image table"), ("dynamodb:GetItem", "image table"), ("dynamodb:DescribeTable", "image table"),
        ("dynamodb:Query", "image table's owner index"),
        ("dynamodb:Query", "image table's everyone index"),
        ("dynamodb:DescribeStream", "image table's stream"), ("dynamodb:GetShardIterator", "image table's stream"),
        ("dynamodb:GetRecords", "image table's stream"),
    },
}
STORES = {"InputBucket": "input", "ProcessedBucket": "processed", "InputQueue": "input", "ProcessedQueue": "processed",
          "InputDeadLetterQueue": "input dead-letter", "ProcessedDeadLetterQueue": "processed dead-letter", "ImageTable": "image"}


def listify(value):
    return value if isinstance(value, list) else [value]


def resource_name(resource) -> str:
    """{"Fn::GetAtt": ["InputBucket", "Arn"]} → "input bucket"; {"Fn::Sub": "${InputBucket.Arn}/*"} → "input objects"."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        logical_id, attribute = resource["Fn::GetAtt"]
        if (logical_id, attribute) == ("ImageTable", "StreamArn"):
            return "image table's stream"
        assert attribute == "Arn"
        kind = "bucket" if logical_id.endswith("Bucket") else "table" if logical_id.endswith("Table") else "queue"
        return f"{STORES[logical_id]} {kind}"
    if resource == {"Fn::Sub": "${ImageTable.Arn}/index/owner-uploaded"}:
        return "image table's owner index"
    if resource == {"Fn::Sub": "${ImageTable.Arn}/index/everyone-uploaded"}:
        return "image table's everyone index"
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        for logical_id, name in STORES.items():
            if resource["Fn::Sub"] == f"${{{logical_id}.Arn}}/*":
                return f"{name} objects"
    raise AssertionError(f"unexpected resource {resource!r}")


def grants(role: dict) -> set[tuple[str, str]]:
    found = set()
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow" and "Condition" not in statement
            for action in listify(statement["Action"]):
                for resource in listify(statement["Resource"]):
                    found.add((action, resource_name(resource)))
    return found


def mentions(value, names: set[str]) -> bool:
    text = yaml.safe_dump(value)
    return any(name in text for name in names)


@pytest.mark.parametrize("role", sorted(EXPECTED_GRANTS))
def test_each_task_role_grants_exactly_what_its_service_calls(role):
    assert grants(RESOURCES[role]) == EXPECTED_GRANTS[role]


def test_each_service_runs_with_its_own_role_and_nothing_else_reaches_the_buckets_or_queues():
    for service, prefix in SERVICES.items():
        definition = RESOURCES[f"{prefix}TaskDefinition"]["Properties"]
        assert definition["TaskRoleArn"] == {"Fn::GetAtt": [f"{prefix}TaskRole", "Arn"]}
        assert definition["ExecutionRoleArn"] == {"Fn::GetAtt": ["TaskExecutionRole", "Arn"]}
    for logical_id, resource in RESOURCES.items():
        if resource["Type"].startswith("AWS::IAM::") and logical_id not in EXPECTED_GRANTS:
            assert not mentions(resource, set(STORES)), f"{logical_id} refers to a bucket or queue"
        if resource["Type"] in ("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy"):
            statements = resource["Properties"]["PolicyDocument"]["Statement"]
            if logical_id == "AccessLogBucketPolicy":
                # The access log bucket lets Elastic Load Balancing's log delivery write its logs, and nothing else.
                (allow,) = [statement for statement in statements if statement["Effect"] == "Allow"]
                assert allow["Action"] == "s3:PutObject"
                assert allow["Resource"] == {"Fn::Sub": "${AccessLogBucket.Arn}/alb/AWSLogs/${AWS::AccountId}/*"}
                assert "logdelivery.elasticloadbalancing.amazonaws.com" in yaml.safe_dump(allow["Principal"])
                statements = [statement for statement in statements if statement is not allow]
            effects = {statement["Effect"] for statement in statements}
            assert effects == {"Deny"}, f"{logical_id} must only deny"
    execution = RESOURCES["TaskExecutionRole"]["Properties"]
    assert "Policies" not in execution
    assert execution["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}]
    for role in [*EXPECTED_GRANTS, "TaskExecutionRole"]:
        (statement,) = RESOURCES[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_containers_get_composes_environment():
    """Same variables and values as docker-compose.yml, except: no emulator endpoint and no static keys
    (real AWS, the task role), names and region from the stack, page origin from the load balancer."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    from_stack = {
        "AWS_REGION": {"Ref": "AWS::Region"},
        "INPUT_BUCKET": {"Ref": "InputBucket"},
        "PROCESSED_BUCKET": {"Ref": "ProcessedBucket"},
        "INPUT_QUEUE": {"Fn::GetAtt": ["InputQueue", "QueueName"]},
        "PROCESSED_QUEUE": {"Fn::GetAtt": ["ProcessedQueue", "QueueName"]},
        "IMAGE_TABLE": {"Ref": "ImageTable"},
        "RETENTION_DAYS": {"Ref": "RetentionDays"},
        "CORS_ALLOWED_ORIGINS": {"Fn::If": ["UseHttps", {"Fn::Sub": "https://${DomainName}"}, {"Fn::Sub": "http://${LoadBalancer.DNSName}"}]},
        "PUBLIC_UPLOAD_URL": {"Fn::If": ["UseHttps", {"Fn::Sub": "https://${DomainName}/upload"}, {"Fn::Sub": "http://${LoadBalancer.DNSName}/upload"}]},
    }
    # Sign-in exists on AWS only (compose runs AUTH_MODE=none, its default): test_sign_in checks these.
    # So do the load balancer in front (one trusted X-Forwarded-For hop) and the daily allowances from
    # the stack's parameters: test_limits checks those.
    sign_in = {"AUTH_MODE", "ALB_ARN", "JWT_ISSUER", "JWT_AUDIENCE", "ADMIN_GROUP", "SIGN_OUT_URL", "TRUSTED_PROXY_HOPS", "HTTP_IDLE_TIMEOUT_SECONDS",
               "UPLOADS_PER_OWNER_PER_DAY", "UPLOAD_BYTES_PER_OWNER_PER_DAY", "PIXELS_PER_OWNER_PER_DAY"}
    for service, prefix in SERVICES.items():
        (container,) = RESOURCES[f"{prefix}TaskDefinition"]["Properties"]["ContainerDefinitions"]
        environment = {entry["Name"]: entry["Value"] for entry in container["Environment"] if entry["Name"] not in sign_in}
        expected = {name: str(value) for name, value in compose[service]["environment"].items()
                    if name not in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        expected |= {name: value for name, value in from_stack.items() if name in expected}
        assert environment == expected, service
        assert environment["HTTP_HOST"] == "0.0.0.0" and environment["LOG_FORMAT"] == "json"
        port = int(environment["HTTP_PORT"])
        if service == "processor":
            assert container["PortMappings"] == [{"ContainerPort": port, "Protocol": "tcp"}]
        else:
            # The public port, and the ops port (OPS_PORT's default) for the load balancer's health check.
            assert container["PortMappings"] == [{"ContainerPort": port, "Protocol": "tcp"}, {"ContainerPort": port + 1000, "Protocol": "tcp"}]
        assert f"/dev/tcp/127.0.0.1/{port}" in container["HealthCheck"]["Command"][-1]
        assert "GET /healthz" in container["HealthCheck"]["Command"][-1]
        assert container["LogConfiguration"]["LogDriver"] == "awslogs"
        # The image's own ENTRYPOINT and CMD: the service takes its task role's credentials from the
        # endpoint ECS announces (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), no wrapper in between.
        assert "EntryPoint" not in container and "Command" not in container


def test_one_origin_routes_upload_to_the_api_and_everything_else_to_the_notifier():
    upload = RESOURCES["UploadRoute"]["Properties"]
    assert upload["Conditions"] == [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/upload"]}}]
    assert upload["Actions"]["Fn::If"][2] == [{"Type": "forward", "TargetGroupArn": {"Ref": "UploadApiTargetGroup"}}]
    openapi = RESOURCES["OpenApiRoute"]["Properties"]
    assert openapi["Conditions"] == [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/openapi.yaml"]}}]
    assert openapi["Actions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": "UploadApiTargetGroup"}}]
    https = RESOURCES["HttpsListener"]["Properties"]["DefaultActions"]["Fn::If"]
    http = RESOURCES["HttpListener"]["Properties"]["DefaultActions"]["Fn::If"]
    assert https[2] == http[2] == [{"Type": "forward", "TargetGroupArn": {"Ref": "NotifierTargetGroup"}}]
    assert http[1][0]["Type"] == "redirect"
    assert RESOURCES["UploadApiTargetGroup"]["Properties"]["Port"] == 8081
    assert RESOURCES["NotifierTargetGroup"]["Properties"]["Port"] == 8080
    for group in ("UploadApiTargetGroup", "NotifierTargetGroup"):
        assert RESOURCES[group]["Properties"]["HealthCheckPath"] == "/healthz"
    attributes = {entry["Key"]: entry["Value"] for entry in RESOURCES["LoadBalancer"]["Properties"]["LoadBalancerAttributes"]}
    # The notifier's event streams send a heartbeat every 15 s; the upload API answers within 30 s.
    assert int(attributes["idle_timeout.timeout_seconds"]) > 30


def test_scaling_processor_on_backlog_per_task_upload_api_on_cpu_and_one_notifier():
    processor = RESOURCES["ProcessorBacklogScaling"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    metrics = {metric["Id"]: metric for metric in processor["CustomizedMetricSpecification"]["Metrics"]}
    assert metrics["backlog_per_task"]["Expression"] == "visible / running"
    assert metrics["visible"]["MetricStat"]["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert metrics["visible"]["MetricStat"]["Metric"]["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["InputQueue", "QueueName"]}}]
    assert metrics["running"]["MetricStat"]["Metric"]["MetricName"] == "RunningTaskCount"
    assert processor["TargetValue"] == {"Ref": "ProcessorBacklogPerTask"}
    target = RESOURCES["ProcessorScalableTarget"]["Properties"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == ({"Ref": "ProcessorMinTasks"}, {"Ref": "ProcessorMaxTasks"})
    upload = RESOURCES["UploadApiCpuScaling"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]
    assert upload["PredefinedMetricSpecification"] == {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}
    scaled = {resource["Properties"]["ResourceId"]["Fn::Sub"] for resource in RESOURCES.values()
              if resource["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"}
    assert scaled == {"service/${Cluster}/${ProcessorService.Name}", "service/${Cluster}/${UploadApiService.Name}"}


def test_alarms_on_dead_letters_and_on_the_oldest_waiting_image():
    alarms = {(resource["Properties"]["MetricName"], resource["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0])
              for resource in RESOURCES.values() if resource["Type"] == "AWS::CloudWatch::Alarm"}
    assert alarms == {("ApproximateNumberOfMessagesVisible", "InputDeadLetterQueue"),
                      ("ApproximateNumberOfMessagesVisible", "ProcessedDeadLetterQueue"),
                      ("ApproximateAgeOfOldestMessage", "InputQueue")}


def test_buckets_are_private_encrypted_and_tls_only():
    for bucket in ("InputBucket", "ProcessedBucket"):
        properties = RESOURCES[bucket]["Properties"]
        assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}
        assert len(properties["PublicAccessBlockConfiguration"]) == 4
        (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        (statement,) = RESOURCES[f"{bucket}Policy"]["Properties"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert statement["Resource"] == [{"Fn::GetAtt": [bucket, "Arn"]}, {"Fn::Sub": f"${{{bucket}.Arn}}/*"}]


def test_outputs_name_the_page_and_the_upload_url():
    outputs = TEMPLATE["Outputs"]
    assert outputs["PageUrl"]["Value"]["Fn::If"][2] == {"Fn::Sub": "http://${LoadBalancer.DNSName}/"}
    assert outputs["UploadUrl"]["Value"]["Fn::If"][2] == {"Fn::Sub": "http://${LoadBalancer.DNSName}/upload"}


def test_retention_expires_objects_and_the_table_keeps_its_history():
    """RetentionDays: a whole-bucket expiration on both buckets unless 0, as pipeline-setup sets it;
    the table has point-in-time recovery and encryption."""
    parameter = PARAMETERS["RetentionDays"]
    assert parameter["Default"] == 0 and parameter["MinValue"] == 0
    for bucket in ("InputBucket", "ProcessedBucket"):
        rules = RESOURCES[bucket]["Properties"]["LifecycleConfiguration"]["Rules"]
        assert {"Fn::If": ["KeepImages", {"Ref": "AWS::NoValue"}, {
            "Id": "expire-after-retention", "Status": "Enabled", "ExpirationInDays": {"Ref": "RetentionDays"}}]} in rules
    table = RESOURCES["ImageTable"]["Properties"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST"


def test_two_notifiers_by_default_replaced_one_at_a_time():
    assert PARAMETERS["NotifierTasks"]["Default"] == 2
    service = RESOURCES["NotifierService"]["Properties"]
    assert service["DesiredCount"] == {"Ref": "NotifierTasks"}
    assert service["DeploymentConfiguration"]["MinimumHealthyPercent"] == 50
    assert service["DeploymentConfiguration"]["MaximumPercent"] == 200


def authenticate_action(actions_if, unauthenticated: str) -> None:
    """An !If [UseCognito, authenticate-cognito, authenticate-oidc] first action, each answering a
    request without a session as `unauthenticated` (authenticate: redirect to sign in; deny: 401)."""
    condition, cognito, oidc = actions_if["Fn::If"]
    assert condition == "UseCognito"
    assert cognito["Type"] == "authenticate-cognito" and cognito["Order"] == 1
    config = cognito["AuthenticateCognitoConfig"]
    assert config["UserPoolArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]} and config["UserPoolClientId"] == {"Ref": "UserPoolClient"}
    assert config["OnUnauthenticatedRequest"] == unauthenticated
    assert oidc["Type"] == "authenticate-oidc" and oidc["Order"] == 1
    assert oidc["AuthenticateOidcConfig"]["OnUnauthenticatedRequest"] == unauthenticated
    assert oidc["AuthenticateOidcConfig"]["ClientSecret"] == {"Ref": "OidcClientSecret"}


def test_sign_in_before_anything_reaches_the_services():
    """AuthMode cognito (the default) or oidc: the page redirects to sign in, /upload and /api/* answer
    401 without a session, bearer-token clients are forwarded for the services to verify, HTTPS is
    required but for an explicit public demo without sign-in, and the tasks get the load balancer's
    ARN and the issuer of the bearer tokens."""
    assert PARAMETERS["AuthMode"]["Default"] == "cognito"
    assert PARAMETERS["AuthMode"]["AllowedValues"] == ["cognito", "oidc", "none"]
    assert PARAMETERS["AllowPlainHttp"]["Default"] == "false"
    assert PARAMETERS["OidcClientSecret"]["NoEcho"] is True
    rule = TEMPLATE["Rules"]["HttpsUnlessAnExplicitDemo"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "CertificateArn"}, ""]}
    assert rule["Assertions"][0]["Assert"] == {"Fn::And": [
        {"Fn::Equals": [{"Ref": "AllowPlainHttp"}, "true"]}, {"Fn::Equals": [{"Ref": "AuthMode"}, "none"]}]}

    condition, signed_in, public = RESOURCES["HttpsListener"]["Properties"]["DefaultActions"]["Fn::If"]
    assert condition == "SignIn"
    authenticate_action(signed_in[0], "authenticate")
    assert signed_in[1] == {"Type": "forward", "TargetGroupArn": {"Ref": "NotifierTargetGroup"}, "Order": 2}
    condition, signed_in, _ = RESOURCES["UploadRoute"]["Properties"]["Actions"]["Fn::If"]
    authenticate_action(signed_in[0], "deny")
    assert signed_in[1]["TargetGroupArn"] == {"Ref": "UploadApiTargetGroup"}
    api = RESOURCES["ApiRoute"]
    assert api["Condition"] == "SignIn"
    assert api["Properties"]["Conditions"] == [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}]
    authenticate_action(api["Properties"]["Actions"][0], "deny")
    assert api["Properties"]["Actions"][1]["TargetGroupArn"] == {"Ref": "NotifierTargetGroup"}
    # Bearer tokens skip the load balancer's sign-in (they have no session); the services verify them.
    for logical_id, path, group in (("BearerUploadRoute", "/upload", "UploadApiTargetGroup"), ("BearerApiRoute", "/api/*", "NotifierTargetGroup")):
        properties = RESOURCES[logical_id]["Properties"]
        assert RESOURCES[logical_id]["Condition"] == "SignIn"
        assert {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "Authorization", "Values": ["Bearer *"]}} in properties["Conditions"]
        assert {"Field": "path-pattern", "PathPatternConfig": {"Values": [path]}} in properties["Conditions"]
        assert properties["Actions"] == [{"Type": "forward", "TargetGroupArn": {"Ref": group}}]
        assert properties["Priority"] < RESOURCES["UploadRoute"]["Properties"]["Priority"]
    # Metrics stay hidden before any of it.
    assert RESOURCES["HideMetricsRoute"]["Properties"]["Priority"] < min(
        RESOURCES[name]["Properties"]["Priority"] for name in ("BearerUploadRoute", "BearerApiRoute", "UploadRoute", "ApiRoute"))

    for prefix in ("UploadApi", "Notifier"):
        (container,) = RESOURCES[f"{prefix}TaskDefinition"]["Properties"]["ContainerDefinitions"]
        environment = {entry["Name"]: entry["Value"] for entry in container["Environment"]}
        assert environment["AUTH_MODE"] == {"Fn::If": ["SignIn", "alb,jwt", "none"]}
        assert environment["ALB_ARN"] == {"Fn::If": ["SignIn", {"Ref": "LoadBalancer"}, ""]}
        assert environment["JWT_ISSUER"]["Fn::If"][1] == {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"}
        assert environment["JWT_AUDIENCE"] == {"Fn::If": ["UseCognito", {"Ref": "UserPoolClient"}, {"Ref": "OidcClientId"}]}
        assert environment["ADMIN_GROUP"] == {"Ref": "AdminGroup"}
    client = RESOURCES["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is True and client["AllowedOAuthFlows"] == ["code"]
    assert client["CallbackURLs"] == [{"Fn::Sub": "https://${DomainName}/oauth2/idpresponse"}]
    assert RESOURCES["UserPool"]["Properties"]["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert RESOURCES["AdminUserGroup"]["Properties"]["GroupName"] == {"Ref": "AdminGroup"}
    ingress = RESOURCES["LoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert all(entry["CidrIp"] == {"Ref": "AllowedCidr"} for entry in ingress)


def test_limits():
    """The edge's limits (AWS WAF on the load balancer) and the services' own, from the parameters;
    health checks on the ops ports, which no listener routes to; access logs in a bucket of their own."""
    acl = RESOURCES["WebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rules = {rule["Name"]: rule for rule in acl["Rules"]}
    assert rules["aws-ip-reputation"]["Statement"]["ManagedRuleGroupStatement"]["Name"] == "AWSManagedRulesAmazonIpReputationList"
    for name, parameter, window, key, paths in [
        ("uploads-per-address", "WafUploadsPerAddress", 300, "IP", ["/upload"]),
        ("heavy-requests-per-address", "WafHeavyRequestsPerAddress", 300, "IP", ["/api/results.zip", "/api/events"]),
        ("uploads-in-all", "WafUploadsPerMinute", 60, "CONSTANT", ["/upload"]),
    ]:
        rule = rules[name]
        rate = rule["Statement"]["RateBasedStatement"]
        assert rate["Limit"] == {"Ref": parameter} and rate["EvaluationWindowSec"] == window and rate["AggregateKeyType"] == key
        matches = [rate["ScopeDownStatement"]] if "ByteMatchStatement" in rate["ScopeDownStatement"] else rate["ScopeDownStatement"]["OrStatement"]["Statements"]
        assert [match["ByteMatchStatement"]["SearchString"] for match in matches] == paths
        for match in matches:
            assert {t["Type"] for t in match["ByteMatchStatement"]["TextTransformations"]} == {"URL_DECODE", "NORMALIZE_PATH"}
        assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    # The global rule stays below the input FIFO queue's 300 sends a second.
    assert PARAMETERS["WafUploadsPerMinute"]["Default"] / 60 < 300
    association = RESOURCES["WebAclAssociation"]["Properties"]
    assert association == {"ResourceArn": {"Ref": "LoadBalancer"}, "WebACLArn": {"Fn::GetAtt": ["WebAcl", "Arn"]}}
    # Access logs.
    attributes = {a["Key"]: a["Value"] for a in RESOURCES["LoadBalancer"]["Properties"]["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true" and attributes["access_logs.s3.bucket"] == {"Ref": "AccessLogBucket"}
    # Health checks on the ops ports; the ops ports reach no listener.
    for group, ops in (("UploadApiTargetGroup", "9081"), ("NotifierTargetGroup", "9080")):
        assert RESOURCES[group]["Properties"]["HealthCheckPort"] == ops
    hidden = RESOURCES["HideMetricsRoute"]["Properties"]["Conditions"][0]["PathPatternConfig"]["Values"]
    assert set(hidden) == {"/metrics*", "/readyz*", "//*"}
    # The services' own limits, from the parameters.
    (upload,) = RESOURCES["UploadApiTaskDefinition"]["Properties"]["ContainerDefinitions"]
    environment = {entry["Name"]: entry["Value"] for entry in upload["Environment"]}
    assert environment["UPLOADS_PER_OWNER_PER_DAY"] == {"Ref": "UploadsPerOwnerPerDay"}
    assert environment["UPLOAD_BYTES_PER_OWNER_PER_DAY"] == {"Ref": "UploadBytesPerOwnerPerDay"}
    assert environment["PIXELS_PER_OWNER_PER_DAY"] == {"Ref": "PixelsPerOwnerPerDay"}
    balancer_idle = int(attributes["idle_timeout.timeout_seconds"])
    for prefix in ("UploadApi", "Notifier"):
        (container,) = RESOURCES[f"{prefix}TaskDefinition"]["Properties"]["ContainerDefinitions"]
        environment = {entry["Name"]: entry["Value"] for entry in container["Environment"]}
        assert environment["TRUSTED_PROXY_HOPS"] == "1"
        # The tasks keep idle connections longer than the balancer, which then closes them first.
        assert int(environment["HTTP_IDLE_TIMEOUT_SECONDS"]) > balancer_idle
    # Originals and results expire with the retention setting.
    for bucket in ("InputBucket", "ProcessedBucket"):
        rules_text = yaml.safe_dump(RESOURCES[bucket]["Properties"]["LifecycleConfiguration"])
        assert "ExpirationInDays:\n      Ref: RetentionDays" in rules_text or "Ref: RetentionDays" in rules_text
