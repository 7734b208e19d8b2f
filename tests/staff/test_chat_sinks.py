"""Each new draft is announced in the staff's LINE group and Telegram chat, once, with a console link."""

from __future__ import annotations

from bot.emulators.line import LineEmulator
from bot.emulators.telegram import DEFAULT_TOKEN, TelegramEmulator
from bot.settings import REPOSITORY_ROOT, Settings
from tests.harness import SECRET, TOKEN
from tests.proposals import make_submission, submit
from tests.staff.serving import running_server

STAFF_GROUP = "C" + "f" * 32
STAFF_CHAT = -1009876543210


async def test_a_new_draft_is_announced_in_the_staff_line_group_and_telegram_chat(database_url: str) -> None:
    line, telegram = LineEmulator(channel_secret=SECRET, access_token=TOKEN), TelegramEmulator()
    await line.start()
    await telegram.start()
    await telegram.group_message("（職員のグループ）", chat_id=STAFF_CHAT, kind="group")  # the bot is a member
    settings = Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        staff_base_url="https://kyoso.example.jp", staff_line_group_id=STAFF_GROUP, staff_telegram_chat_id=str(STAFF_CHAT),
        handoff_retry_seconds=0.1, telegram_poll_timeout=1,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_BASE_URL=line.url,
        TELEGRAM_BOT_TOKEN=DEFAULT_TOKEN, TELEGRAM_API_BASE_URL=telegram.url, TELEGRAM_WEBHOOK_SECRET="staff-test_1",
    )
    try:
        async with running_server(settings) as server:
            reference = await submit(server.app.store, make_submission())
            notice = f"受付番号: {reference}"

            def announced_on_telegram() -> bool:
                return any(notice in message.text for message in telegram.sent_to(STAFF_CHAT))

            await telegram.wait_until(announced_on_telegram, timeout=20)
            await telegram.wait_until(lambda: any(notice in text for text in line.texts(STAFF_GROUP)), timeout=20)

        [line_notice] = line.texts(STAFF_GROUP)
        assert "新しい提案の下書きが届きました" in line_notice
        assert "団体名: まちづくりNPO（NPO法人）" in line_notice and "タイトル: 公園で子ども食堂" in line_notice
        assert f"https://kyoso.example.jp/staff/drafts/{reference}" in line_notice
        telegram_notices = [m.text for m in telegram.sent_to(STAFF_CHAT) if notice in m.text]
        assert len(telegram_notices) == 1 and "提案の種類: テーマ型" in telegram_notices[0]
    finally:
        await telegram.stop()
        await line.close()
