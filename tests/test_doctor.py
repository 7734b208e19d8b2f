"""`kyoso doctor` names what is missing, weak or unsafe in the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import doctor
from bot.doctor import diagnose
from bot.settings import Settings

STRONG = "k7Qp2vX9mZ4rT8wL1nB6cY3hJ5dF0sGa"
PRODUCTION = {
    "database_url": "postgresql+asyncpg://kyoso@db/kyoso", "session_secret": STRONG,
    "staff_base_url": "https://kyoso.example.jp", "staff_line_group_id": "C" + "1" * 32,
    "user_messages_per_minute": 30,  # the test run raises it in the environment (tests/conftest.py)
}


def messages(**overrides: object) -> list[str]:
    return [finding.render() for finding in diagnose(Settings(**{**PRODUCTION, **overrides}))]


def test_a_production_setup_has_nothing_to_say() -> None:
    assert messages() == []


def test_defaults_warn_about_sqlite_the_session_key_and_missing_sinks() -> None:
    said = messages(database_url="sqlite+aiosqlite:///var/kyoso.db", session_secret=None, staff_line_group_id=None)
    assert said == [
        "WARNING: KYOSO_DATABASE_URL is SQLite: fine for one process; several workers need PostgreSQL",
        "WARNING: KYOSO_SESSION_SECRET is not set: staff sessions use a development key kept in var/",
        "WARNING: no staff sink is configured: submitted drafts wait in the outbox (see README, Settings)",
    ]


def test_half_configured_or_unsigned_channels_are_errors() -> None:
    assert "ERROR: LINE needs both LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN" in messages(LINE_CHANNEL_SECRET="x" * 32)
    said = messages(handoff_webhook_url="https://city.example.jp/hook")
    assert "ERROR: KYOSO_HANDOFF_WEBHOOK_URL is set without KYOSO_HANDOFF_WEBHOOK_SECRET to sign it" in said
    assert "ERROR: KYOSO_SMTP_HOST is set but KYOSO_STAFF_EMAILS is empty: nobody gets the mail" in messages(smtp_host="mail")


def test_a_liff_app_without_the_sdk_installed_is_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = "ERROR: LINE_LIFF_ID is set but the LIFF SDK is not installed: the form on LINE cannot open; run scripts/install-liff"
    monkeypatch.setattr(doctor, "LIFF_SDK", tmp_path / "liff.js")
    assert missing in messages(LINE_LIFF_ID="1657000000-AbCdEfGh")
    (tmp_path / "liff.js").write_text("window.liff = {};")
    assert missing not in messages(LINE_LIFF_ID="1657000000-AbCdEfGh")


def test_weak_secrets_and_plain_http_to_remote_hosts_are_warned() -> None:
    said = messages(session_secret="password", staff_base_url="http://kyoso.example.jp",
                    TELEGRAM_BOT_TOKEN="1:a", TELEGRAM_WEBHOOK_SECRET="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert "WARNING: KYOSO_SESSION_SECRET is weak: use at least 32 random characters" in said
    assert "WARNING: TELEGRAM_WEBHOOK_SECRET is weak: use at least 32 random characters" in said
    assert "WARNING: KYOSO_STAFF_BASE_URL uses plain HTTP to kyoso.example.jp: use https" in said
    assert not any("127.0.0.1" in line for line in messages(staff_base_url="http://127.0.0.1:8080"))


def test_an_example_line_secret_open_listening_absurd_limits_and_a_refused_telegram_secret_are_named() -> None:
    line = "WARNING: LINE_CHANNEL_SECRET is short or an example value"
    assert any(said.startswith(line) for said in messages(LINE_CHANNEL_SECRET="dev", LINE_CHANNEL_ACCESS_TOKEN="t"))
    assert not any(said.startswith(line) for said in messages(LINE_CHANNEL_SECRET="5f1c9e02b7a4d38f6e10c2b9a7d4e35f", LINE_CHANNEL_ACCESS_TOKEN="t"))
    assert any("KYOSO_HOST is 0.0.0.0 without KYOSO_TRUSTED_PROXIES" in said for said in messages(host="0.0.0.0"))
    assert messages(host="0.0.0.0", trusted_proxies=["127.0.0.1"]) == []
    said = messages(user_messages_per_minute=100_000, address_posts_per_minute=10**6, retention_days=36_500)
    assert [line.split(" is ")[0] for line in said] == [
        "WARNING: KYOSO_USER_MESSAGES_PER_MINUTE", "WARNING: KYOSO_ADDRESS_POSTS_PER_MINUTE", "WARNING: KYOSO_RETENTION_DAYS",
    ]
    refused = "ERROR: TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1-256): Telegram refuses it"
    assert refused in messages(TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_WEBHOOK_SECRET="k7Qp2vX9mZ4rT8wL1nB6cY3hJ5dF0sGa!")
    assert refused not in messages(TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_WEBHOOK_SECRET=STRONG)
