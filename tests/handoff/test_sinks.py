"""The real sinks against real receivers: an SMTP server (aiosmtpd) and an HTTP endpoint checking the signature."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import re
import ssl
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.handoff.email_sink import EmailSink, SmtpConfig
from bot.handoff.render import DossierRenderer
from bot.handoff.webhook_sink import DELIVERY_HEADER, SIGNATURE_HEADER, WebhookSink
from storage.handoff import SqlHandoff
from storage.sql_store import SqlStore
from tests.mail import Inbox, free_port
from tests.proposals import make_submission, submit


def pdf_fonts(pdf: bytes) -> set[str]:
    """The embedded fonts' names (WeasyPrint keeps them in compressed object streams)."""
    names: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            names |= {name.decode() for name in re.findall(rb"/BaseFont\s*/([^\s/<>]+)", zlib.decompress(stream))}
        except zlib.error:
            continue
    return names


async def test_staff_receive_a_mail_with_the_whole_draft_and_a_printable_pdf(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_inbox
    config = SmtpConfig(host="127.0.0.1", port=port, sender="kyoso@city.example.jp",
                        recipients=["kyodo@city.example.jp", "kyoso2@city.example.jp"], starttls=False)
    reference = await submit(store, make_submission(title="多摩川の見守りウォーキング"))

    await make_dispatcher(EmailSink(config, DossierRenderer())).run_once()

    [message] = inbox.messages
    assert inbox.recipients == [["kyodo@city.example.jp", "kyoso2@city.example.jp"]]
    assert message["Subject"] == f"【協働・共創の窓口】提案の下書き {reference}（まちづくりNPO）"
    body = message.get_body(preferencelist=("plain",)).get_content()
    for expected in [reference, "団体名", "まちづくりNPO", "団体の種類", "NPO法人", "多摩川の見守りウォーキング",
                     "市単独では解決できない課題", "年50万円", "(1) 市単独では解決できない課題: はい",
                     "(2) 市にとって新しく、公益的な価値を生む: わからない", "締め切りはいつですか", "2026-11-1",
                     "2026年11月25日 10:30", f"https://kyoso.example.jp/staff/drafts/{reference}"]:
        assert expected in body, expected
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert set(attachments) == {f"{reference}.pdf", f"{reference}.json"}
    pdf = attachments[f"{reference}.pdf"].get_content()
    assert pdf.startswith(b"%PDF")
    assert any("Noto-Sans-CJK-JP" in font for font in pdf_fonts(pdf)), "the PDF embeds a Japanese font"
    dossier = json.loads(attachments[f"{reference}.json"].get_content())
    assert dossier["schema_version"] == 2 and dossier["draft"]["org_type"] == "npo"
    assert [s.status for s in await handoff.statuses(reference)] == ["sent"]


async def test_an_unreachable_mail_server_is_retried_and_shown(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher
) -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), sender="kyoso@city.example.jp",
                        recipients=["kyodo@city.example.jp"], starttls=False, timeout=2)
    reference = await submit(store, make_submission())

    await make_dispatcher(EmailSink(config, DossierRenderer())).run_once()

    [status] = await handoff.statuses(reference)
    assert status.status == "pending" and "ConnectionRefusedError" in (status.last_error or "")


class Receiver:
    """The city's system: accepts a dossier only with a valid signature."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret
        self.received: list[tuple[dict[str, object], str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get(SIGNATURE_HEADER, ""), expected):
            return web.Response(status=401, text="bad signature")
        self.received.append((json.loads(body), request.headers[DELIVERY_HEADER]))
        return web.Response(status=204)


@pytest.fixture
async def receiver():  # type: ignore[no-untyped-def]
    city = Receiver(b"shared-secret")
    app = web.Application()
    app.router.add_post("/kyoso", city.handle)
    async with TestServer(app, host="127.0.0.1") as server, aiohttp.ClientSession() as session:
        yield city, str(server.make_url("/kyoso")), session


async def test_the_webhook_posts_the_signed_dossier(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, receiver
) -> None:
    city, url, session = receiver
    reference = await submit(store, make_submission())

    await make_dispatcher(WebhookSink(url, b"shared-secret", session)).run_once()

    [(dossier, key)] = city.received
    assert dossier["reference"] == reference and dossier["schema_version"] == 2
    assert dossier["draft"]["title"] == "公園で子ども食堂"
    assert {"name": "org_type", "label": "団体の種類", "value": "NPO法人"} in dossier["fields"]
    assert dossier["consent"]["notice_version"] == "2026-11-1"
    assert key and [s.status for s in await handoff.statuses(reference)] == ["sent"]


async def test_a_webhook_refused_for_its_signature_is_not_counted_as_delivered(  # type: ignore[no-untyped-def]
    store: SqlStore, handoff: SqlHandoff, make_dispatcher, receiver
) -> None:
    city, url, session = receiver
    reference = await submit(store, make_submission())

    await make_dispatcher(WebhookSink(url, b"wrong-secret", session)).run_once()

    assert city.received == []
    [status] = await handoff.statuses(reference)
    assert status.status == "pending" and "HTTP 401" in (status.last_error or "")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, so the test server can offer STARTTLS."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class OnlyAccount:
    """aiosmtpd authenticator accepting one user name and password."""

    def __init__(self, login: bytes, password: bytes) -> None:
        self.login, self.password = login, password
        self.seen: list[bytes] = []

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        self.seen.append(auth_data.login)
        return AuthResult(success=(auth_data.login, auth_data.password) == (self.login, self.password))


async def test_mail_goes_over_starttls_with_the_configured_login(  # type: ignore[no-untyped-def]
    store: SqlStore, make_dispatcher, tmp_path: Path
) -> None:
    cert_file, key_file = self_signed_certificate(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    inbox, account, port = Inbox(), OnlyAccount(b"kyoso", b"mail-pass"), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_tls, require_starttls=True,
                            authenticator=account, auth_require_tls=True)
    controller.start()
    try:
        config = SmtpConfig(host="127.0.0.1", port=port, sender="kyoso@city.example.jp",
                            recipients=["kyodo@city.example.jp"], user="kyoso", password="mail-pass",
                            tls=ssl.create_default_context(cafile=str(cert_file)))
        reference = await submit(store, make_submission())
        await make_dispatcher(EmailSink(config, DossierRenderer())).run_once()
    finally:
        controller.stop()

    assert account.seen == [b"kyoso"]
    [message] = inbox.messages
    assert reference in message["Subject"]
