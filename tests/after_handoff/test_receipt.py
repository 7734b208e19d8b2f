"""受付控え: the whole server with staff mail on a real SMTP server (aiosmtpd); the proposer gets one copy."""

from __future__ import annotations

import asyncio

from bot.core.messages import UserKey
from bot.settings import REPOSITORY_ROOT, Settings
from tests.mail import Inbox, smtp_inbox  # noqa: F401 - the SMTP fixture
from tests.proposals import make_submission, submit
from tests.staff.serving import running_server

PROPOSER = UserKey(channel="web", user_id="visitor-receipt")


def settings_for(database_url: str, port: int) -> Settings:
    return Settings(
        database_url=database_url, content_dir=REPOSITORY_ROOT, session_secret="s" * 40, faq_embeddings=False,
        smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, smtp_from="kyoso@city.example.jp",
        staff_emails="kyodo@city.example.jp",
    )


async def mails_to(inbox: Inbox, address: str, count: int) -> list[str]:
    for _ in range(200):
        found = [str(message["Subject"]) for message, to in zip(inbox.messages, inbox.recipients, strict=True) if to == [address]]
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    return found


async def test_the_proposer_gets_one_copy_with_reference_summary_and_next_steps(
    database_url: str, smtp_inbox: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp_inbox
    settings = settings_for(database_url, port)
    async with running_server(settings) as server:
        reference = await submit(server.app.store, make_submission(user=PROPOSER, email="hanako@example.org"))
        without = await submit(server.app.store, make_submission(user=PROPOSER, email="", phone="042-000-0000"))
        server.app.staff.replies.wake()
        assert await mails_to(inbox, "hanako@example.org", 1) == [f"【協働・共創の窓口】提案の受付控え（受付番号: {reference}）"]
        assert len(await mails_to(inbox, "kyodo@city.example.jp", 2)) == 2, "staff get both drafts"
    copy = next(message for message, to in zip(inbox.messages, inbox.recipients, strict=True) if to == ["hanako@example.org"])
    body = copy.get_content()
    assert "山田花子 様" in body and f"受付番号は {reference} です" in body
    assert "■タイトル\n公園で子ども食堂" in body and "■団体の種類\nNPO法人" in body, "the summary as the proposer saw it"
    assert "【このあとの流れ】\n市民協働推進部 協働共創推進課が内容を確認し" in body
    assert without not in "".join(str(message["Subject"]) for message in inbox.messages if "受付控え" in str(message["Subject"]))

    async with running_server(settings):  # a restart sends nothing again
        await asyncio.sleep(1.0)
    assert len([to for to in inbox.recipients if to == ["hanako@example.org"]]) == 1, "exactly once"
