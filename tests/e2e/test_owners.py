"""Owners and access (docs/design.md "Owners and access"), end to end on the debug binaries with
AUTH_MODE=alb,jwt: a load balancer and an issuer of the test's own (keys made here, public keys
served on 127.0.0.1), tokens minted here, forged ones included.

Every way of not being someone is 401 on the upload and on the API, and stores nothing; owner A
never sees owner B's images through any route or the event stream; an administrator sees both.
"""
import io
import time
import uuid
import zipfile

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from pipeline_testing.identity import KeyServer, TestIssuer, TestLoadBalancer, hs256, public_pem, unsigned
from pipeline_testing.notifier import EventStream
from pipeline_testing.pngs import small_png
from pipeline_testing.stack import Stack
from pipeline_testing.stacks import free_port


@pytest.fixture(scope="module")
def signed_in(stack):
    if not isinstance(stack, Stack):
        pytest.skip("an external stack (compose) runs without sign-in")
    with KeyServer() as keys:
        alb, issuer = TestLoadBalancer(keys), TestIssuer(keys)
        env = {"AUTH_MODE": "alb,jwt", **alb.env, **issuer.env}
        own = Stack(bin_dir=stack.bin_dir, upload_port=free_port(), notifier_port=free_port(), processor_port=free_port(),
                    service_env=env)
        own.setup_resources()
        own.start("upload-api", "processor", "notifier")
        try:
            yield own, alb, issuer, keys
        finally:
            own.stop()


def upload(stack, headers, seed: int, name: str = "photo.png") -> requests.Response:
    return requests.post(f"{stack.upload_url}/upload", files={"image": (name, small_png(seed), "image/png")}, headers=headers, timeout=30)


def wait_processed(stack, headers, ids, timeout: float = 45) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while True:
        images = requests.get(f"{stack.notifier_url}/api/images", params={"limit": 500}, headers=headers, timeout=10).json()["images"]
        records = {image["image_id"]: image for image in images}
        if all(records.get(i, {}).get("state") == "processed" for i in ids) or time.monotonic() > deadline:
            return records
        time.sleep(0.3)


def forgeries(alb: TestLoadBalancer, issuer: TestIssuer) -> dict[str, dict[str, str]]:
    """Every way of not being someone, as request headers."""
    stranger = ec.generate_private_key(ec.SECP256R1())
    other_arn = alb.arn.replace("/app/images/", "/app/another/")
    header = {"alg": "ES256", "kid": alb.kid, "signer": alb.arn, "exp": int(time.time()) + 600}
    claims = {"sub": "mallory", "exp": int(time.time()) + 600}
    bearer = {"alg": "RS256", "kid": issuer.kid}
    return {
        "no identity": {},
        "load balancer: forged signature": {"x-amzn-oidc-data": alb.token("ann", key=stranger)},
        "load balancer: another load balancer's": {"x-amzn-oidc-data": alb.token("ann", signer=other_arn)},
        "load balancer: expired": {"x-amzn-oidc-data": alb.token("ann", expires_in=-120)},
        "load balancer: alg none": {"x-amzn-oidc-data": unsigned(header, claims)},
        "load balancer: HMAC with its public key": {"x-amzn-oidc-data": hs256(header | {"alg": "HS256"}, claims, public_pem(alb.key))},
        "load balancer: a kid it has no key for": {"x-amzn-oidc-data": alb.token("ann", kid=str(uuid.uuid4()))},
        "bearer: forged signature": {"Authorization": f"Bearer {issuer.token('ann', key=stranger)}"},
        "bearer: expired": {"Authorization": f"Bearer {issuer.token('ann', expires_in=-120)}"},
        "bearer: another audience": {"Authorization": f"Bearer {issuer.token('ann', audience='someone-else')}"},
        "bearer: another issuer": {"Authorization": f"Bearer {issuer.token('ann', issuer='https://evil.example')}"},
        "bearer: alg none": {"Authorization": f"Bearer {unsigned(bearer, issuer.claims('ann'))}"},
        "bearer: HMAC with its public key": {"Authorization": f"Bearer {hs256(bearer | {'alg': 'HS256'}, issuer.claims('ann'), public_pem(issuer.key))}"},
        "bearer: not a token": {"Authorization": "Bearer not-a-token"},
    }


def test_no_valid_identity_gets_in(signed_in):
    stack, alb, issuer, keys = signed_in
    problems = []
    for what, headers in forgeries(alb, issuer).items():
        answers = {
            "POST /upload": upload(stack, headers, 1),
            "GET /api/images": requests.get(f"{stack.notifier_url}/api/images", headers=headers, timeout=10),
            "GET /api/events": requests.get(f"{stack.notifier_url}/api/events", headers=headers, timeout=10),
            "GET /api/results.zip": requests.get(f"{stack.notifier_url}/api/results.zip", headers=headers, timeout=10),
        }
        for route, response in answers.items():
            if response.status_code != 401 or response.json().get("error") != "unauthorized":
                problems.append(f"{what}: {route} answered {response.status_code} {response.text[:120]}")
    s3 = stack.client("s3")
    stored = s3.list_objects_v2(Bucket=stack.env["INPUT_BUCKET"]).get("KeyCount", 0)
    assert not problems and stored == 0, "\n".join(problems) + f"\n{stored} objects stored"
    # Keys are fetched once per kid and service (upload-api, notifier), a kid not found too: the
    # three notifier routes after the first asked nothing more.
    fetched = [path for path in keys.requests if path.startswith("/alb-keys/")]
    unknown = [path for path in fetched if path != f"/alb-keys/{alb.kid}"]
    assert fetched.count(f"/alb-keys/{alb.kid}") == 2 and len(unknown) == 2, fetched
    assert keys.requests.count("/issuer/.well-known/jwks.json") == 2, keys.requests
    # The page itself and the process checks need no identity (the load balancer signs the page in).
    assert requests.get(f"{stack.notifier_url}/", timeout=10).status_code == 200
    assert requests.get(f"{stack.upload_url}/healthz", timeout=10).status_code == 200


def test_owners_never_see_each_others_images_and_an_admin_sees_both(signed_in):
    stack, alb, issuer, _ = signed_in
    # ann signed in at the load balancer, bob an API client with an RS256 token, dave with ES256.
    ann, bob = alb.headers("ann"), issuer.headers("bob", use_rsa=True)
    admin = alb.headers("root", groups=["admins"])
    with EventStream(stack.notifier_url, headers=ann) as ann_stream:
        ann_stream.wait_open()
        ann_ids = [upload(stack, ann, seed, f"ann-{seed}.png").json()["image_id"] for seed in (11, 12)]
        bob_ids = [upload(stack, bob, 13, "bob.png").json()["image_id"]]
        # The same Idempotency-Key from both is two images, each the owner's own.
        keyed = [upload(stack, headers | {"Idempotency-Key": "shared-key"}, 14, "keyed.png").json()["image_id"] for headers in (ann, bob)]
        assert keyed[0] != keyed[1]
        ann_ids.append(keyed[0])
        bob_ids.append(keyed[1])
        wait_processed(stack, ann, ann_ids)
        wait_processed(stack, bob, bob_ids)
        deadline = time.monotonic() + 10
        while not all("processed" in ann_stream.states.get(i, []) for i in ann_ids) and time.monotonic() < deadline:
            time.sleep(0.1)
        seen_by_stream = {image_id for _, _, data in ann_stream.frames for image_id in bob_ids if image_id in data}
    assert all("processed" in ann_stream.states.get(i, []) for i in ann_ids), ann_stream.states
    assert not seen_by_stream, f"ann's event stream carried bob's images {seen_by_stream}"

    def listed(headers) -> set[str]:
        response = requests.get(f"{stack.notifier_url}/api/images", params={"limit": 500}, headers=headers, timeout=10)
        return {image["image_id"] for image in response.json()["images"]}

    assert listed(ann) == set(ann_ids)
    assert listed(bob) == set(bob_ids)
    assert listed(admin) == set(ann_ids) | set(bob_ids)
    assert listed(issuer.headers("dave")) == set(), "another owner sees nothing"
    assert listed(issuer.headers("ops", groups=["admins"])) == set(ann_ids) | set(bob_ids), "an administrator by token too"
    problems = []
    for image_id in bob_ids:
        for route in ("", "/original", "/processed", "/download"):
            url = f"{stack.notifier_url}/api/images/{image_id}{route}"
            mine = requests.get(url, headers=bob, timeout=10).status_code
            theirs = requests.get(url, headers=ann, timeout=10)
            unknown = requests.get(f"{stack.notifier_url}/api/images/{uuid.uuid4()}{route}", headers=ann, timeout=10)
            if mine != 200 or theirs.status_code != 404 or theirs.json() != unknown.json() | {"message": theirs.json()["message"]}:
                problems.append(f"{route or '/'}: bob {mine}, ann {theirs.status_code} {theirs.text[:100]}")
            if requests.get(url, headers=admin, timeout=10).status_code != 200:
                problems.append(f"{route or '/'}: the administrator cannot read bob's image")
    assert not problems, "\n".join(problems)
    archive = requests.get(f"{stack.notifier_url}/api/results.zip", headers=ann, timeout=30)
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert sorted(names) == ["ann-11-bw.png", "ann-12-bw.png", "keyed-bw.png"]
    me = requests.get(f"{stack.notifier_url}/api/me", headers=admin, timeout=10).json()
    assert me["owner"] == "root" and me["admin"] is True and me["signed_in_via"] == "alb"
    # The owner is in the object's metadata and the message, so a rebuilt index knows it too.
    s3 = stack.client("s3")
    keys = [entry["Key"] for entry in s3.list_objects_v2(Bucket=stack.env["INPUT_BUCKET"])["Contents"]]
    owners = {key.split("_")[0]: s3.head_object(Bucket=stack.env["INPUT_BUCKET"], Key=key)["Metadata"].get("owner") for key in keys}
    assert owners == {**{i: "ann" for i in ann_ids}, **{i: "bob" for i in bob_ids}}


def test_a_reused_idempotency_key_with_other_bytes_is_refused(signed_in):
    stack, alb, _, _ = signed_in
    headers = alb.headers("carol") | {"Idempotency-Key": "carol-1"}
    first = upload(stack, headers, 21, "same.png")
    again = upload(stack, headers, 21, "same.png")
    other = upload(stack, headers, 22, "same.png")
    renamed = upload(stack, headers, 21, "renamed.png")
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    for response in (other, renamed):
        assert response.status_code == 422 and response.json()["error"] == "idempotency_key_reused", response.text
    s3 = stack.client("s3")
    body = s3.get_object(Bucket=stack.env["INPUT_BUCKET"], Key=first.json()["object_key"])["Body"].read()
    assert body == small_png(21), "the first upload's original was never overwritten"
