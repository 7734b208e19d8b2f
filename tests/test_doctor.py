"""`kyoso doctor` names what is missing, weak or unsafe in the settings."""

from __future__ import annotations

from bot.doctor import diagnose
from bot.settings import Settings

STRONG = "k7Qp2vX9mZ4rT8wL1nB6cY3hJ5dF0sGa"
PRODUCTION = {
    "database_url": "postgresql+asyncpg://kyoso@db/kyoso", "session_secret": STRONG,
    "staff_base_url": "https://kyoso.example.jp", "staff_line_group_id": "C" + "1" * 32,
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


def test_weak_secrets_and_plain_http_to_remote_hosts_are_warned() -> None:
    said = messages(session_secret="password", staff_base_url="http://kyoso.example.jp",
                    TELEGRAM_BOT_TOKEN="1:a", TELEGRAM_WEBHOOK_SECRET="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert "WARNING: KYOSO_SESSION_SECRET is weak: use at least 32 random characters" in said
    assert "WARNING: TELEGRAM_WEBHOOK_SECRET is weak: use at least 32 random characters" in said
    assert "WARNING: KYOSO_STAFF_BASE_URL uses plain HTTP to kyoso.example.jp: use https" in said
    assert not any("127.0.0.1" in line for line in messages(staff_base_url="http://127.0.0.1:8080"))
