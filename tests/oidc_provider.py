"""A small, real OpenID Connect provider on localhost, for the tests of sign-in with a provider
(accounts.social): what Yahoo! JAPAN ID, LINE, Google or Apple are to the live site.

It speaks HTTP on a port of its own (port 0: the system picks one) from a thread, and implements
the authorization code flow as a provider does: discovery (/.well-known/openid-configuration), an
authorize page with a button (the reader "approves"), the token endpoint (checks the client's
secret, the code, the redirect address and PKCE), userinfo (a bearer access token) and the
public keys (/jwks). Its id_tokens are RS256, signed with an RSA key made at start.

The identity it signs readers in as is ``provider.identity`` (a test sets sub, email,
email_verified, name, preferred_username). ``provider.requests`` records the paths asked, so a
test can tell that a flow really went through it. ``mint_id_token`` makes the token an app's native
SDK would hold.
"""

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "forum-test-client"
CLIENT_SECRET = "forum-test-secret"
KEY_ID = "test-key-1"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Grant:
    """An authorization code handed to the client, and what it stands for."""

    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    identity: dict


@dataclass
class OidcProvider:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    identity: dict = field(
        default_factory=lambda: {
            "sub": "yj-0001",
            "email": "hanako@example.jp",
            "email_verified": True,
            "name": "Hanako Yamada",
            "preferred_username": "hanako",
        }
    )
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "OidcProvider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- Tokens ---------------------------------------------------------------------------------
    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {"kty": "RSA", "kid": KEY_ID, "use": "sig", "alg": "RS256", "n": _b64(numbers.n), "e": _b64(numbers.e)}
            ]
        }

    def mint_id_token(
        self, *, identity: dict | None = None, audience: str | None = None, lifetime: int = 600, **claims
    ) -> str:
        """An id_token for ``identity`` (the provider's current one by default), as the provider
        signs it; ``claims`` override any claim (iss, exp...)."""
        now = int(time.time())
        payload = {
            **(identity or self.identity),
            "iss": self.issuer,
            "aud": audience or self.client_id,
            "iat": now,
            "exp": now + lifetime,
            "jti": secrets.token_hex(8),
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": KEY_ID})

    # --- HTTP -----------------------------------------------------------------------------------
    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
                pass  # the test output stays quiet

            def _answer(
                self, status: int, body: dict | str, content_type: str = "application/json", headers: dict | None = None
            ):
                data = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                fields = parse_qs(self.rfile.read(length).decode())
                return {name: values[0] for name, values in fields.items()}

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                provider.requests.append(url.path)
                query = {name: values[0] for name, values in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._answer(200, provider.discovery())
                elif url.path == "/jwks":
                    self._answer(200, provider.jwks())
                elif url.path == "/authorize":
                    self._authorize_page(query)
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    with provider.lock:
                        identity = provider.access_tokens.get(token)
                    if identity is None:
                        self._answer(401, {"error": "invalid_token"}, headers={"WWW-Authenticate": "Bearer"})
                    else:
                        self._answer(200, identity)
                else:
                    self._answer(404, {"error": "not_found"})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                provider.requests.append(url.path)
                form = self._form()
                if url.path == "/authorize":
                    self._approve(form)
                elif url.path == "/token":
                    self._token(form)
                else:
                    self._answer(404, {"error": "not_found"})

            def _authorize_page(self, query: dict) -> None:
                if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                    self._answer(400, {"error": "invalid_request"})
                    return
                hidden = "".join(
                    f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
                    for name, value in query.items()
                )
                who = html.escape(provider.identity.get("email") or provider.identity["sub"])
                page = (
                    "<!doctype html><html><head><title>Test ID</title></head><body><main>"
                    f"<h1>Test ID</h1><p>Sign in to the forum as {who}?</p>"
                    f'<form method="post" action="/authorize">{hidden}<button type="submit">Approve</button></form>'
                    "</main></body></html>"
                )
                self._answer(200, page, content_type="text/html")

            def _approve(self, form: dict) -> None:
                code = secrets.token_urlsafe(16)
                with provider.lock:
                    provider.grants[code] = Grant(
                        redirect_uri=form["redirect_uri"],
                        nonce=form.get("nonce"),
                        code_challenge=form.get("code_challenge"),
                        identity=dict(provider.identity),
                    )
                back = {"code": code, **({"state": form["state"]} if "state" in form else {})}
                separator = "&" if "?" in form["redirect_uri"] else "?"
                self._answer(302, "", headers={"Location": f"{form['redirect_uri']}{separator}{urlencode(back)}"})

            def _client_authenticated(self, form: dict) -> bool:
                basic = self.headers.get("Authorization", "")
                if basic.startswith("Basic "):
                    client_id, _sep, secret = base64.b64decode(basic[6:]).decode().partition(":")
                else:
                    client_id, secret = form.get("client_id"), form.get("client_secret")
                return client_id == provider.client_id and secret == provider.client_secret

            def _token(self, form: dict) -> None:
                if not self._client_authenticated(form):
                    self._answer(401, {"error": "invalid_client"})
                    return
                with provider.lock:
                    grant = provider.grants.pop(form.get("code", ""), None)  # a code works once
                if (
                    form.get("grant_type") != "authorization_code"
                    or grant is None
                    or grant.redirect_uri != form.get("redirect_uri")
                ):
                    self._answer(400, {"error": "invalid_grant"})
                    return
                if grant.code_challenge is not None:
                    verifier = form.get("code_verifier", "").encode()
                    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
                    if digest != grant.code_challenge:
                        self._answer(400, {"error": "invalid_grant"})
                        return
                access_token = secrets.token_urlsafe(24)
                with provider.lock:
                    provider.access_tokens[access_token] = grant.identity
                nonce = {"nonce": grant.nonce} if grant.nonce else {}
                self._answer(
                    200,
                    {
                        "access_token": access_token,
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "id_token": provider.mint_id_token(identity=grant.identity, **nonce),
                    },
                )

        return Handler

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def provider_settings(self) -> dict:
        """SOCIALACCOUNT_PROVIDERS for the forum, with this provider as Yahoo! JAPAN ID."""
        return {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": "yahoo-japan",
                        "name": "Yahoo! JAPAN ID",
                        "client_id": self.client_id,
                        "secret": self.client_secret,
                        "settings": {"server_url": self.issuer},
                    }
                ],
                "SCOPE": ["openid", "profile", "email"],
                "OAUTH_PKCE_ENABLED": True,
            }
        }
