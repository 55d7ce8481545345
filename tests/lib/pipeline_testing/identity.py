"""Sign-in of the tests' own: a load balancer and a token issuer whose keys are made here, their
public keys served on 127.0.0.1 (the PEM of a kid as the load balancer's key server serves it, a
JWKS as an issuer does), and tokens minted with them, forged ones included.

    with KeyServer() as keys:
        alb, issuer = TestLoadBalancer(keys), TestIssuer(keys)
        env = alb.env | issuer.env        # AUTH_MODE=alb,jwt and its companions
        requests.get(url, headers=alb.headers("ann"))
        requests.get(url, headers=issuer.headers("bob"))
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data: bytes, padded: bool = False) -> str:
    text = base64.urlsafe_b64encode(data).decode()
    return text if padded else text.rstrip("=")


def encode(header: dict, claims: dict, padded: bool = False) -> str:
    """`header.claims` of a compact JWT (the signing input)."""
    return f"{b64url(json.dumps(header).encode(), padded)}.{b64url(json.dumps(claims).encode(), padded)}"


def es256(header: dict, claims: dict, key: ec.EllipticCurvePrivateKey, padded: bool = False) -> str:
    """A JWT signed with ES256 (the raw r||s signature JOSE wants, not DER)."""
    signing_input = encode(header, claims, padded)
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'), padded)}"


def rs256(header: dict, claims: dict, key: rsa.RSAPrivateKey) -> str:
    signing_input = encode(header, claims)
    return f"{signing_input}.{b64url(key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()))}"


def hs256(header: dict, claims: dict, secret: bytes) -> str:
    """A JWT whose signature is an HMAC-SHA256 with `secret`: the public-key-as-HMAC-secret attack."""
    signing_input = encode(header, claims)
    return f"{signing_input}.{b64url(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def unsigned(header: dict, claims: dict) -> str:
    """`alg: none`: no signature at all."""
    return f"{encode(header | {'alg': 'none'}, claims)}."


def public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


class KeyServer:
    """Serves fixed bodies by path on 127.0.0.1 (404 for anything else), counting requests."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                body = server.bodies.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "KeyServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class TestLoadBalancer:
    """An Application Load Balancer of the tests: signs `x-amzn-oidc-data` as AWS's does (ES256,
    `signer` = its ARN, base64url with `=` padding), its public key served by kid."""

    __test__ = False  # not a test class, for pytest

    def __init__(self, keys: KeyServer, name: str = "images") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = str(uuid.uuid4())
        self.arn = f"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/{name}/{uuid.uuid4().hex[:16]}"
        self.key_url = f"{keys.url}/alb-keys"
        keys.bodies[f"/alb-keys/{self.kid}"] = public_pem(self.key)

    @property
    def env(self) -> dict[str, str]:
        return {"ALB_ARN": self.arn, "ALB_PUBLIC_KEY_URL": self.key_url}

    def token(self, owner: str, groups=(), expires_in: float = 600, signer: str | None = None,
              key: ec.EllipticCurvePrivateKey | None = None, kid: str | None = None) -> str:
        exp = int(time.time() + expires_in)
        header = {"alg": "ES256", "kid": kid or self.kid, "signer": signer or self.arn, "iss": "https://idp.example",
                  "client": "pipeline", "exp": exp}
        claims = {"sub": owner, "email": f"{owner}@example.com", "exp": exp, "iss": "https://idp.example"}
        if groups:
            claims["groups"] = list(groups)
        return es256(header, claims, key or self.key, padded=True)

    def headers(self, owner: str, **kwargs) -> dict[str, str]:
        return {"x-amzn-oidc-data": self.token(owner, **kwargs)}


class TestIssuer:
    """An OIDC issuer of the tests: its JWKS at `{issuer}/.well-known/jwks.json` with an EC key
    (ES256 tokens) and an RSA key (RS256 tokens, `use_rsa=True`)."""

    __test__ = False

    audience = "pipeline-tests"

    def __init__(self, keys: KeyServer) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid, self.rsa_kid = "issuer-key-1", "issuer-rsa-1"
        self.issuer = f"{keys.url}/issuer"
        numbers = self.key.public_key().public_numbers()
        ec_jwk = {"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": self.kid,
                  "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}
        modulus = self.rsa_key.public_key().public_numbers()
        rsa_jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.rsa_kid,
                   "n": b64url(modulus.n.to_bytes((modulus.n.bit_length() + 7) // 8, "big")), "e": b64url(modulus.e.to_bytes(3, "big"))}
        keys.bodies["/issuer/.well-known/jwks.json"] = json.dumps({"keys": [ec_jwk, rsa_jwk]}).encode()

    @property
    def env(self) -> dict[str, str]:
        return {"JWT_ISSUER": self.issuer, "JWT_AUDIENCE": self.audience}

    def claims(self, owner: str, groups=(), expires_in: float = 600, audience: str | None = None, issuer: str | None = None) -> dict:
        claims = {"sub": owner, "iss": issuer or self.issuer, "aud": audience or self.audience, "exp": int(time.time() + expires_in)}
        if groups:
            claims["groups"] = list(groups)
        return claims

    def token(self, owner: str, key: ec.EllipticCurvePrivateKey | None = None, use_rsa: bool = False, **kwargs) -> str:
        if use_rsa:
            return rs256({"alg": "RS256", "kid": self.rsa_kid, "typ": "JWT"}, self.claims(owner, **kwargs), self.rsa_key)
        return es256({"alg": "ES256", "kid": self.kid, "typ": "JWT"}, self.claims(owner, **kwargs), key or self.key)

    def headers(self, owner: str, **kwargs) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(owner, **kwargs)}"}
