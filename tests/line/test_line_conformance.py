"""What LINE's rules ask of a bot: standby is silent, unsend is honoured, unknown events cost nothing, stickers are not text."""

from __future__ import annotations

import json
from typing import Any

from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    ActivatedEvent,
    BotSuspendedEvent,
    ImageMessageContent,
    MemberJoinedEvent,
    MessageEvent,
    StickerMessageContent,
    UnsendEvent,
)

from bot.content.loader import load_content
from bot.core.messages import UserKey
from bot.emulators.line import events
from bot.settings import REPOSITORY_ROOT
from tests.documents.files import PNG
from tests.harness import SECRET, LineStack

USER = "U" + "5" * 32
CONTENT = load_content(REPOSITORY_ROOT)


def _bot_said(line: LineStack, user: str = USER) -> list[str]:
    return line.emulator.texts(user)


async def _to_first_text_question(line: LineStack) -> None:
    assert await line.emulator.follow(USER) == 200
    await line.settled()
    assert await line.emulator.tap(USER, "提案の下書きをつくる") == 200
    await line.settled()
    assert "団体名を教えてください" in _bot_said(line)[-1]


def test_the_emulators_events_are_what_the_sdk_reads() -> None:
    """Complete payloads: the SDK's parser makes each a known event, none an UnknownEvent."""
    where = events.source(USER)
    batch = [
        events.message_event(where, "t1", "1", "sticker", **events.STICKER),
        events.message_event(where, "t2", "2", "image", **events.IMAGE),
        events.unsend_event(where, "1"),
        events.other_event("memberJoined", events.source(USER, group_id="C" + "1" * 32), "t3",
                           joined={"members": [{"type": "user", "userId": USER}]}),
        events.other_event("botSuspended", where),
        events.other_event("activated", where, chatControl={"expireAt": 1999999999999}),
    ]
    body = json.dumps({"destination": "U" + "0" * 32, "events": batch})
    parsed = WebhookParser(SECRET).parse(body, events.sign(SECRET, body.encode()))
    assert [type(event) for event in parsed] == [
        MessageEvent, MessageEvent, UnsendEvent, MemberJoinedEvent, BotSuspendedEvent, ActivatedEvent,
    ]
    assert isinstance(parsed[0].message, StickerMessageContent) and isinstance(parsed[1].message, ImageMessageContent)
    assert parsed[0].message.mark_as_read_token


async def test_a_sticker_at_a_question_asks_for_text_a_picture_is_kept_and_both_ask_again(line: LineStack) -> None:
    await _to_first_text_question(line)
    assert await line.emulator.send_message(USER, "sticker", events.STICKER) == 200
    await line.settled()
    said = _bot_said(line)
    assert CONTENT.common.validation.not_text in said[-2]
    assert CONTENT.common.validation.empty not in "".join(said)
    assert "団体名を教えてください" in said[-1]

    await line.emulator.type(USER, "ふちゅう子ども食堂の会")
    await line.settled()
    choice_question = _bot_said(line)[-1]
    await line.emulator.send_image(USER, PNG)  # in a draft: kept with it (tests/documents)
    await line.settled()
    kept, asked = _bot_said(line)[-2:]
    assert "「画像.png」を受け取りました" in kept and asked == choice_question


async def test_events_in_standby_are_stored_and_never_answered(line: LineStack) -> None:
    line.emulator.mode = "standby"
    assert await line.emulator.follow(USER) == 200
    assert await line.emulator.type(USER, "こんにちは、相談したいです") == 200
    await line.settled()
    assert _bot_said(line) == []
    assert line.emulator.calls == []
    assert line.app is not None
    stored = await line.app.events.list_events("line")
    assert [json.loads(event.body)["mode"] for event in stored] == ["standby", "standby"]
    assert {event.status for event in stored} == {"done"}
    assert await line.app.events.is_active("line", USER) is True, "who follows the bot is still known"

    line.emulator.mode = "active"  # the chat is the bot's again
    await line.emulator.type(USER, "こんにちは")
    await line.settled()
    assert _bot_said(line)


async def test_membership_suspension_and_other_events_are_silent_and_not_stored(line: LineStack) -> None:
    group = events.source(USER, group_id="C" + "3" * 32)
    where = events.source(USER)
    batch = [
        events.other_event("memberJoined", group, "t1", joined={"members": [{"type": "user", "userId": USER}]}),
        events.other_event("memberLeft", group, left={"members": [{"type": "user", "userId": USER}]}),
        events.other_event("leave", group),
        events.other_event("botSuspended", where),
        events.other_event("botResumed", where),
        events.other_event("activated", where, chatControl={"expireAt": 1999999999999}),
        events.other_event("deactivated", where),
        events.other_event("videoPlayComplete", where, "t2", videoPlayComplete={"trackingId": "v1"}),
        events.other_event("beacon", where, "t3", beacon={"hwid": "d41d8cd98f", "type": "enter"}),
    ]
    assert await line.emulator.send(batch) == 200
    await line.settled()
    assert line.app is not None
    assert await line.app.events.list_events("line") == []
    assert line.emulator.calls == []



async def _state(line: LineStack) -> Any:
    assert line.app is not None
    async with line.app.store.turn(UserKey(channel="line", user_id=USER)) as turn:
        return turn.state


async def _stored_bodies(line: LineStack) -> str:
    assert line.app is not None
    return json.dumps([json.loads(event.body) for event in await line.app.events.list_events("line")], ensure_ascii=False)


async def test_an_unsent_answer_leaves_the_draft_and_the_stored_events(line: LineStack) -> None:
    await _to_first_text_question(line)
    await line.emulator.type(USER, "ふちゅう子ども食堂の会")
    await line.settled()
    assert "ふちゅう子ども食堂の会" in (await _state(line)).values.values()
    said_before = len(_bot_said(line))

    assert await line.emulator.unsend(USER, line.emulator.sent_ids(USER)[-1]) == 200
    await line.settled()
    assert "ふちゅう子ども食堂の会" not in (await _state(line)).values.values()
    assert "ふちゅう子ども食堂の会" not in await _stored_bodies(line)
    assert len(_bot_said(line)) == said_before, "the bot says nothing to an unsend"


async def test_an_unsent_message_in_a_consultation_is_gone_from_what_staff_see(line: LineStack) -> None:
    assert await line.emulator.follow(USER) == 200
    await line.emulator.type(USER, "担当者に相談")
    await line.settled()
    await line.emulator.type(USER, "補助金の申請について相談したいです")
    await line.settled()
    await line.emulator.type(USER, "自宅の住所は府中市宮西町1-2-3です")
    await line.settled()
    await line.emulator.type(USER, "よろしくお願いします")
    await line.settled()
    assert line.app is not None
    consultations = line.app.staff.services.consultations
    [consultation] = await consultations.find()
    texts = [message.text for message in await consultations.messages(consultation.id)]
    assert "自宅の住所は府中市宮西町1-2-3です" in texts

    ids = line.emulator.sent_ids(USER)
    assert await line.emulator.unsend(USER, ids[-2]) == 200  # the address
    assert await line.emulator.unsend(USER, ids[-3]) == 200  # the question the consultation opened with
    await line.settled()
    texts = [message.text for message in await consultations.messages(consultation.id)]
    gone = CONTENT.common.messages.unsent
    assert texts.count(gone) == 2 and "よろしくお願いします" in texts
    assert not any("府中市宮西町" in text or "補助金の申請" in text for text in texts)
    shown = await consultations.get(consultation.id)
    assert shown is not None and "補助金の申請" not in str(shown) and "府中市宮西町" not in str(shown)
    assert "府中市宮西町" not in str(await _state(line)) and "府中市宮西町" not in await _stored_bodies(line)
