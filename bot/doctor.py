"""`kyoso doctor`: settings that are missing, weak or unsafe for a public service, said plainly.

Errors are settings that cannot work (half a pair, an unsigned webhook); warnings are
settings that work but should not face the public (SQLite for several workers, short
secrets, plain HTTP to a remote host).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pydantic import SecretStr

from bot.forms import LIFF_SDK
from bot.settings import Settings

MIN_SECRET_LENGTH = 32
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
LINE_SECRET_LENGTH = 32  # the LINE Developers console's channel secrets are 32 hex digits
EXAMPLE_SECRETS = {"dev", "test", "secret", "changeme", "channel_secret", "your_channel_secret", "line_channel_secret", "xxx"}
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
# Beyond these a setting is a typo or no protection at all.
SANE_MAXIMUM = {"KYOSO_USER_MESSAGES_PER_MINUTE": 300, "KYOSO_ADDRESS_POSTS_PER_MINUTE": 3_000, "KYOSO_RETENTION_DAYS": 3_650}


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    message: str

    def render(self) -> str:
        return f"{self.level.upper()}: {self.message}"


def diagnose(settings: Settings) -> list[Finding]:
    return [*_database(settings), *_server(settings), *_line(settings), *_telegram(settings), *_staff(settings)]


def _database(settings: Settings) -> list[Finding]:
    if settings.database_url.startswith("sqlite"):
        return [Finding("warning", "KYOSO_DATABASE_URL is SQLite: fine for one process; several workers need PostgreSQL")]
    return []


def _server(settings: Settings) -> list[Finding]:
    findings = []
    if settings.host not in LOCAL_HOSTS and not settings.trusted_proxies:
        findings.append(Finding("warning", (
            f"KYOSO_HOST is {settings.host} without KYOSO_TRUSTED_PROXIES: serve behind a reverse proxy with TLS "
            "(docs/deploy.md) and name it, or the limits and Secure cookies cannot see the real client"
        )))
    values = {"KYOSO_USER_MESSAGES_PER_MINUTE": settings.user_messages_per_minute,
              "KYOSO_ADDRESS_POSTS_PER_MINUTE": settings.address_posts_per_minute,
              "KYOSO_RETENTION_DAYS": settings.retention_days}
    for name, value in values.items():
        if value > SANE_MAXIMUM[name]:
            findings.append(Finding("warning", f"{name} is {value}: more than {SANE_MAXIMUM[name]} is no limit at all"))
    return findings


def _line(settings: Settings) -> list[Finding]:
    halves = (settings.line_channel_secret, settings.line_channel_access_token)
    findings = []
    if any(halves) and not all(halves):
        findings.append(Finding("error", "LINE needs both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN"))
    if all(halves):
        findings += _plain_http("LINE_API_BASE_URL", settings.line_api_base_url)
    if settings.line_liff_id is not None and not LIFF_SDK.exists():
        findings.append(Finding("error", (
            "LINE_LIFF_ID is set but the LIFF SDK is not installed: the form on LINE cannot open; run scripts/install-liff"
        )))
    if settings.line_channel_secret is not None:
        value = settings.line_channel_secret.get_secret_value()
        if len(value) < LINE_SECRET_LENGTH or value.lower() in EXAMPLE_SECRETS or len(set(value)) < 8:
            findings.append(Finding("warning", (
                "LINE_CHANNEL_SECRET is short or an example value: anyone could sign webhooks; "
                "copy the channel secret from the LINE Developers console"
            )))
    return findings


def _telegram(settings: Settings) -> list[Finding]:
    if settings.telegram_bot_token is None:
        return []
    findings = _plain_http("TELEGRAM_API_BASE_URL", settings.telegram_api_base_url)
    if settings.telegram_webhook_secret is None:
        findings.append(Finding("warning", "TELEGRAM_WEBHOOK_SECRET is not set: the webhook is refused (only --telegram-polling works)"))
    elif not TELEGRAM_SECRET.fullmatch(settings.telegram_webhook_secret.get_secret_value()):
        findings.append(Finding("error", "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1-256): Telegram refuses it"))
    else:
        findings += _weak("TELEGRAM_WEBHOOK_SECRET", settings.telegram_webhook_secret)
    return findings


def _staff(settings: Settings) -> list[Finding]:
    findings = []
    if settings.session_secret is None:
        findings.append(Finding("warning", "KYOSO_SESSION_SECRET is not set: staff sessions use a development key kept in var/"))
    else:
        findings += _weak("KYOSO_SESSION_SECRET", settings.session_secret)
    findings += _plain_http("KYOSO_STAFF_BASE_URL", settings.staff_base_url)
    if settings.handoff_webhook_url:
        findings += _plain_http("KYOSO_HANDOFF_WEBHOOK_URL", settings.handoff_webhook_url)
        if settings.handoff_webhook_secret is None:
            findings.append(Finding("error", "KYOSO_HANDOFF_WEBHOOK_URL is set without KYOSO_HANDOFF_WEBHOOK_SECRET to sign it"))
        else:
            findings += _weak("KYOSO_HANDOFF_WEBHOOK_SECRET", settings.handoff_webhook_secret)
    if settings.smtp_host and not settings.staff_email_list:
        findings.append(Finding("error", "KYOSO_SMTP_HOST is set but KYOSO_STAFF_EMAILS is empty: nobody gets the mail"))
    if settings.smtp_password is not None and not settings.smtp_starttls:
        findings.append(Finding("warning", "KYOSO_SMTP_PASSWORD is sent without KYOSO_SMTP_STARTTLS"))
    sinks = [settings.smtp_host and settings.staff_email_list, settings.handoff_webhook_url,
             settings.staff_line_group_id, settings.staff_telegram_chat_id]
    if not any(sinks):
        findings.append(Finding("warning", "no staff sink is configured: submitted drafts wait in the outbox (see README, Settings)"))
    return findings


def _weak(name: str, secret: SecretStr) -> list[Finding]:
    value = secret.get_secret_value()
    if len(value) < MIN_SECRET_LENGTH or len(set(value)) < 8:
        return [Finding("warning", f"{name} is weak: use at least {MIN_SECRET_LENGTH} random characters")]
    return []


def _plain_http(name: str, url: str) -> list[Finding]:
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        return [Finding("warning", f"{name} uses plain HTTP to {parts.hostname}: use https")]
    return []
