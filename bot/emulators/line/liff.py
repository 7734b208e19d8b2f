"""A LIFF stand-in: what LINE's servers do for a LIFF app opened in a browser, for the real LIFF SDK.

The SDK calls fixed hosts (``liff.line.me``, ``access.line.me``, ``api.line.me``); a browser test sends them
here (as ``LINE_API_BASE_URL`` does for the bot). The person logged in to LINE is ``user_id``. The flow is
LINE Login's: ``liff.line.me/{liffId}`` leads to the endpoint URL; ``liff.login()`` goes to
``/liff/v1/authorize``, which comes back with a code; the SDK trades it (PKCE, S256) for an access token and
an ES256 ID token, and checks that against ``/oauth2/v2.1/certs``. The bot sends the ID token to
``POST /oauth2/v2.1/verify``, which answers as LINE does (400 for a forged, changed or expired one).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

ISSUER = "https://access.line.me"
PATHS = ("/liff/", "/oauth2/", "/liffapp/")  # served without the bot's access token
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*", "Access-Control-Allow-Methods": "GET, POST"}


@dataclass
class _Code:
    user_id: str
    challenge: str
    redirect_uri: str


@dataclass
class LiffStandIn:
    liff_id: str = "1657000000-AbCdEfGh"
    endpoint_url: str = ""  # the LIFF app's page (the bot's /liff/form)
    user_id: str | None = None  # who is logged in to LINE in the browser
    token_seconds: int = 3600
    verify_refuses: bool = False  # LINE's check for the bot refuses every ID token (expired on the way, login revoked)
    _key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    _kid: str = field(default_factory=lambda: secrets.token_hex(8))

    def __post_init__(self) -> None:
        self._codes: dict[str, _Code] = {}
        self._access_tokens: dict[str, str] = {}  # access token -> user id
        self.verified: list[tuple[str, int]] = []  # the ID tokens the bot asked about, and the answer's status

    @property
    def channel_id(self) -> str:
        """The LINE Login channel of the app (a LIFF id is ``<channel id>-<suffix>``)."""
        return self.liff_id.split("-", 1)[0]

    def install(self, app: web.Application) -> None:
        routes = [
            ("GET", "/liffapp/{liff_id}", self._open),
            ("GET", "/liff/v2/apps/{liff_id}/contextToken", self._context),
            ("GET", "/liff/v1/authorize", self._authorize),
            ("POST", "/oauth2/v2.1/token", self._token),
            ("GET", "/oauth2/v2.1/certs", self._certs),
            ("GET", "/oauth2/v2.1/verify", self._verify_access_token),
            ("POST", "/oauth2/v2.1/verify", self._verify_id_token),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, handler)
        for path in {path for _, path, _ in routes}:
            app.router.add_route("OPTIONS", path, self._preflight)

    def id_token(self, user_id: str, expires_in: int = 3600, audience: str | None = None,
                 key: ec.EllipticCurvePrivateKey | None = None) -> str:
        """An ID token as LINE signs it; another ``key`` or audience, or a past expiry, makes one LINE refuses."""
        now = int(time.time())
        header = {"typ": "JWT", "alg": "ES256", "kid": self._kid}
        claims = {"iss": ISSUER, "sub": user_id, "aud": audience or self.channel_id, "exp": now + expires_in, "iat": now,
                  "amr": ["linesso"], "name": "テスト ユーザー"}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        r, s = decode_dss_signature((key or self._key).sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        return f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"

    def claims(self, id_token: str) -> dict[str, Any] | None:
        """What a genuine, unexpired token of this app says; None for any other."""
        try:
            header, payload, signature = id_token.split(".")
            raw = _unb64(signature)
            self._key.public_key().verify(
                encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                f"{header}.{payload}".encode(), ec.ECDSA(hashes.SHA256()),
            )
            claims = json.loads(_unb64(payload))
        except (ValueError, InvalidSignature):
            return None
        fresh = isinstance(claims, dict) and isinstance(claims.get("exp"), int) and claims["exp"] > time.time()
        return claims if fresh and claims.get("aud") == self.channel_id else None

    # --- LINE's side of the flow ---------------------------------------------------------

    async def _open(self, request: web.Request) -> web.Response:
        """``https://liff.line.me/{liffId}`` outside the LINE app: on to the endpoint URL."""
        if request.match_info["liff_id"] != self.liff_id:
            return _cors(web.json_response({"message": "not found"}, status=404))
        return web.Response(status=302, headers={"Location": self.endpoint_url})

    async def _context(self, request: web.Request) -> web.Response:
        if request.match_info["liff_id"] != self.liff_id:
            return _cors(web.json_response({"message": "invalid liffId"}, status=400))
        context = {"type": "external", "liffId": self.liff_id, "endpointUrl": self.endpoint_url, "viewType": "full",
                   "permanentLinkPattern": "concat", "scope": ["openid", "profile"], "availability": {}}
        return _cors(web.json_response({"contextToken": f"x.{_b64(json.dumps(context).encode())}.x"}))

    async def _authorize(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("app_id") != self.liff_id or query.get("code_challenge_method") != "S256":
            return web.Response(status=400, text="invalid request")
        if self.user_id is None:
            return web.Response(status=401, text="nobody is logged in to LINE in this browser")
        redirect = query.get("redirect_uri") or self.endpoint_url
        code = secrets.token_urlsafe(16)
        self._codes[code] = _Code(self.user_id, query.get("code_challenge", ""), redirect)
        separator = "&" if "?" in redirect else "?"
        back = {"code": code, "state": query.get("state", ""), "liffClientId": self.channel_id, "liffRedirectUri": redirect}
        return web.Response(status=302, headers={"Location": redirect + separator + urlencode(back)})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        code = self._codes.pop(str(form.get("code", "")), None)
        verifier = str(form.get("code_verifier", "")).encode()
        challenge = _b64(hashlib.sha256(verifier).digest())
        if code is None or code.challenge != challenge or form.get("client_id") != self.channel_id:
            return _cors(web.json_response({"error": "invalid_grant", "error_description": "invalid code"}, status=400))
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = code.user_id
        return _cors(web.json_response({
            "access_token": access_token, "token_type": "Bearer", "expires_in": self.token_seconds, "scope": "openid profile",
            "id_token": self.id_token(code.user_id, self.token_seconds),
        }))

    async def _certs(self, _: web.Request) -> web.Response:
        numbers = self._key.public_key().public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self._kid,
               "x": _b64(numbers.x.to_bytes(32, "big")), "y": _b64(numbers.y.to_bytes(32, "big"))}
        return _cors(web.json_response({"keys": [jwk]}))

    async def _verify_access_token(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") not in self._access_tokens:
            return _cors(web.json_response({"error": "invalid_request", "error_description": "access token expired"}, status=400))
        return _cors(web.json_response({"scope": "openid profile", "client_id": self.channel_id, "expires_in": self.token_seconds}))

    async def _verify_id_token(self, request: web.Request) -> web.Response:
        """LINE's ID token check: the token must be LINE's, for ``client_id``, not expired."""
        form = await request.post()
        token = str(form.get("id_token", ""))
        ours = form.get("client_id") == self.channel_id and not self.verify_refuses
        claims = self.claims(token) if ours else None
        answer = (web.json_response(claims) if claims is not None
                  else web.json_response({"error": "invalid_request", "error_description": "Invalid IdToken."}, status=400))
        self.verified.append((token, answer.status))
        return answer

    async def _preflight(self, _: web.Request) -> web.Response:
        return _cors(web.Response(status=204))


def _cors(response: web.Response) -> web.Response:
    response.headers.update(_CORS)
    return response


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
