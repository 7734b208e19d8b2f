"""Every setting, read from the environment (and an optional .env) in this one place."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.content.models import CommandName
from bot.core.documents import KINDS, DocumentPolicy, Kind

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent


def _default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'var' / 'kyoso.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYOSO_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default_factory=_default_database_url,
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db",
    )
    content_dir: Path = Field(default=REPOSITORY_ROOT, description="the folder holding dialogs/ and faq/")
    edited_content_dir: Path | None = Field(
        default=None, description="a copy of dialogs/ and faq/ being edited: the console's 回答テスト tries it before it is published",
    )
    faq_embeddings: bool = Field(
        default=True, description="use the bundled embedding model in FAQ matching (off: BM25 only, faster start)"
    )
    cache_dir: Path = Field(
        default_factory=lambda: Path.cwd() / "var" / "cache", description="FAQ embedding cache (safe to delete)"
    )
    timezone: str = Field(default="Asia/Tokyo", description="the city's time zone (reference-number years, dates shown)")
    retention_days: int = Field(default=90, ge=1, description="kyoso purge forgets conversations idle this long")
    event_max_age_hours: float = Field(
        default=24, gt=0, le=24 * 30,
        description="a LINE event older than this is acknowledged but not answered (a replayed body); at most the retention",
    )
    user_messages_per_minute: int = Field(
        default=30, ge=1, description="messages one user may send per minute; beyond, the bot says once to slow down"
    )
    address_posts_per_minute: int = Field(
        default=60, ge=1, description="web chat turns and staff log-ins one client address may post per minute (429 beyond)"
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="reverse proxies whose X-Forwarded-For/-Proto are believed (JSON list of addresses, e.g. [\"127.0.0.1\"])",
    )
    ingest_lease_seconds: float = Field(
        default=120, gt=0, description="a worker holds a platform event this long; after a crash another takes it over"
    )
    ingest_sweep_seconds: float = Field(
        default=15, gt=0, description="how often each worker looks for events nobody is handling (crashes, retries)"
    )
    ingest_concurrency: int = Field(
        default=16, ge=1, le=64, description="LINE/Telegram events one worker handles at once (different users)"
    )
    access_log: bool = Field(
        default=False, description="log every HTTP request (one line each); off, the reverse proxy keeps the access log"
    )
    http_idle_seconds: float = Field(
        default=15, gt=0, le=3600,
        description="a connection that sends no complete request headers this long is closed (idle keep-alive, slow headers)",
    )
    http_body_seconds: float = Field(
        default=30, gt=0, le=3600, description="a request body not received within this long gets 408 (slow uploads)"
    )
    host: str = Field(default="127.0.0.1", description="where `kyoso serve` listens")
    port: int = Field(default=8080, ge=0, le=65535, description="the port `kyoso serve` listens on")
    line_channel_secret: SecretStr | None = Field(
        default=None, validation_alias="LINE_CHANNEL_SECRET", description="LINE channel secret (webhook signatures)"
    )
    line_channel_access_token: SecretStr | None = Field(
        default=None, validation_alias="LINE_CHANNEL_ACCESS_TOKEN", description="LINE channel access token"
    )
    line_api_base_url: str = Field(
        default="https://api.line.me",
        validation_alias="LINE_API_BASE_URL",
        description="the LINE Messaging API host (the emulator's URL in tests)",
    )
    line_liff_id: str | None = Field(
        default=None, validation_alias="LINE_LIFF_ID", pattern=r"^[0-9]+-[A-Za-z0-9]+$",
        description="LIFF app of 「フォームでまとめて入力」 on LINE (endpoint URL: <public URL>/liff/form); its LINE Login "
        "channel (the id before '-') must be under the bot's provider",
    )
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN", description="Telegram bot token (from @BotFather)"
    )
    telegram_webhook_secret: SecretStr | None = Field(
        default=None,
        validation_alias="TELEGRAM_WEBHOOK_SECRET",
        description="expected X-Telegram-Bot-Api-Secret-Token on POST /webhooks/telegram (1-256 of A-Z a-z 0-9 _ -)",
    )
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org",
        validation_alias="TELEGRAM_API_BASE_URL",
        description="the Bot API server (the emulator's URL in tests)",
    )
    telegram_commands: dict[str, CommandName] = Field(
        default={"start": "resume", "menu": "menu", "restart": "restart", "cancel": "pause"},
        description="Telegram /commands (without the slash) and the core command each one sends",
    )
    telegram_poll_timeout: int = Field(default=30, ge=1, le=50, description="seconds one getUpdates long poll waits (--telegram-polling)")

    # --- staff side: handoff sinks and the console (bot/handoff, bot/staff) ---
    smtp_host: str | None = Field(default=None, description="SMTP server for staff mail (unset: no mail sink)")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port")
    smtp_user: str | None = Field(default=None, description="SMTP login name (unset: no login)")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password")
    smtp_starttls: bool = Field(default=True, description="upgrade the SMTP connection with STARTTLS")
    smtp_from: str = Field(default="kyoso@localhost", description="From: address of staff mail")
    staff_emails: str = Field(default="", description="comma-separated recipients of staff mail")
    handoff_webhook_url: str | None = Field(default=None, description="POST each dossier here as signed JSON")
    handoff_webhook_secret: SecretStr | None = Field(
        default=None, description="HMAC-SHA256 key of the webhook's X-Kyoso-Signature header"
    )
    handoff_max_attempts: int = Field(default=8, ge=1, description="tries per sink before a delivery is marked failed")
    handoff_retry_seconds: float = Field(default=30, gt=0, description="first retry delay; doubles up to an hour")
    handoff_lease_seconds: float = Field(
        default=300, gt=0, description="a worker holds a delivery this long; after a crash another sends it then"
    )
    staff_line_group_id: str | None = Field(default=None, description="LINE group that gets a notice of each new draft")
    staff_telegram_chat_id: str | None = Field(default=None, description="Telegram chat that gets a notice of each new draft")
    staff_base_url: str = Field(
        default="http://127.0.0.1:8080", description="public URL of this server (links to /staff in staff messages)"
    )
    consultation_remind_minutes: float = Field(
        default=60, gt=0, description="担当者に相談: notify staff once more when nobody has taken a consultation this long"
    )
    consultation_quiet_hours: float = Field(
        default=72, gt=0, description="担当者に相談: close a consultation (the bot takes over) when the user sent nothing this long"
    )
    proposer_reply_hours: float = Field(
        default=72, gt=0, description="what a proposer types this long after a staff reply about their draft goes to staff"
    )
    form_link_minutes: float = Field(
        default=30, gt=0, description="how long a link to 「フォームでまとめて入力」 works"
    )
    document_max_mb: float = Field(default=10, gt=0, le=100, description="a file a proposer sends may be this large (MB)")
    document_kinds: list[Kind] = Field(
        default=list(KINDS), min_length=1, description="the kinds of file kept with a draft (JSON list of pdf docx xlsx pptx doc xls ppt png jpeg)",
    )
    document_max_files: int = Field(default=5, ge=1, le=50, description="files one draft may carry")
    mail_attachments_max_mb: float = Field(
        default=10, ge=0, description="staff mail attaches a draft's files up to this total (MB); the rest: see the console",
    )
    remind_after_days: int = Field(
        default=3, ge=1, description="one reminder (LINE, Telegram) about a draft left unsent this many days"
    )
    remind_quiet_from: int = Field(default=21, ge=0, le=23, description="no reminders from this hour (city time) …")
    remind_quiet_until: int = Field(default=9, ge=0, le=23, description="… until this hour")
    remind_every_minutes: float = Field(default=10, gt=0, description="how often the server looks for reminders due")
    transfer_code_minutes: float = Field(default=15, gt=0, le=24 * 60, description="how long a 「別の端末で続ける」 code works")
    transfer_wrong_per_user: int = Field(
        default=5, ge=1, description="wrong codes one user may type in an hour before codes are refused for a while"
    )
    transfer_wrong_overall: int = Field(
        default=100, ge=1, description="wrong codes all users together may type in an hour (someone guessing) before all are refused"
    )
    session_secret: SecretStr | None = Field(
        default=None, description="key of the staff session cookies (unset: a development key kept in var/)"
    )

    @model_validator(mode="after")
    def _dedupe_outlives_the_replay_window(self) -> Settings:
        """An event is refused as a replay only while its dedupe key is still stored (``kyoso purge`` keeps it that long)."""
        if self.event_max_age_hours > self.retention_days * 24:
            raise ValueError("KYOSO_EVENT_MAX_AGE_HOURS must not exceed KYOSO_RETENTION_DAYS × 24")
        return self

    @property
    def documents(self) -> DocumentPolicy:
        return DocumentPolicy(
            max_bytes=int(self.document_max_mb * 1024 * 1024), kinds=frozenset(self.document_kinds),
            max_files=self.document_max_files,
        )

    @property
    def staff_email_list(self) -> list[str]:
        return [address.strip() for address in self.staff_emails.split(",") if address.strip()]

    @property
    def line_enabled(self) -> bool:
        return self.line_channel_secret is not None and self.line_channel_access_token is not None
