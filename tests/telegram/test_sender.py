"""The sender, with the real python-telegram-bot client, against the emulator over a socket."""

from __future__ import annotations

from dataclasses import replace

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.channels.telegram.sender import FLOOD_CONTROL, TelegramSender
from bot.core.messages import CardMessage, CardRow, Choice, TextMessage
from bot.emulators.telegram import TelegramEmulator

# PTB itself warns, when it builds a RetryAfter, that retry_after becomes a timedelta; the sender handles both types.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

QUESTION = TextMessage(
    text="団体の種類を選んでください。",
    choices=[Choice(label="NPO法人", payload="o:npo"), Choice(label="戻る", payload="c:back")],
)


async def test_choices_become_an_inline_keyboard(roomy_emulator: TelegramEmulator, roomy_bot: Bot) -> None:
    await roomy_emulator.user_sends("/start")
    await TelegramSender(roomy_bot).send(1001, [TextMessage(text="ありがとうございます。"), QUESTION])

    first, second = roomy_emulator.sent_to(1001)
    assert first.text == "ありがとうございます。" and first.buttons == []
    assert second.text == "団体の種類を選んでください。"
    assert [(button.text, button.callback_data) for button in second.buttons] == [("NPO法人", "o:npo"), ("戻る", "c:back")]


async def test_the_draft_summary_is_one_message_with_bold_headings_and_escaped_text(
    roomy_emulator: TelegramEmulator, roomy_bot: Bot
) -> None:
    card = CardMessage(
        title="提案の下書き",
        rows=[CardRow(label="団体名", value="<株式会社> A&B"), CardRow(label="タイトル", value="見守り\nウォーキング")],
        footer="内容を確認してください。",
        choices=[Choice(label="この内容で送る", payload="y:yes")],
    )
    await roomy_emulator.user_sends("/start")
    await TelegramSender(roomy_bot).send(1001, [card])

    (message,) = roomy_emulator.sent_to(1001)
    assert message.text == card.as_text()
    bold = [message.text[entity["offset"]:entity["offset"] + entity["length"]] for entity in message.entities]
    assert bold == ["【提案の下書き】", "■団体名", "■タイトル"]
    assert [button.text for button in message.buttons] == ["この内容で送る"]


async def test_long_text_is_split_at_line_boundaries_with_the_buttons_on_the_last_part(
    roomy_emulator: TelegramEmulator, roomy_bot: Bot
) -> None:
    lines = [f"{n:04d}" + "あ" * 95 for n in range(100)]  # 100 lines of 99 characters: 9,999 with newlines
    await roomy_emulator.user_sends("/start")
    await TelegramSender(roomy_bot).send(1001, [TextMessage(text="\n".join(lines), choices=QUESTION.choices)])

    parts = roomy_emulator.sent_to(1001)
    assert len(parts) == 3
    assert all(len(part.text) <= 4096 for part in parts)
    assert "\n".join(part.text for part in parts) == "\n".join(lines)
    assert [part.buttons != [] for part in parts] == [False, False, True]


async def test_retry_after_is_waited_out_and_the_message_is_sent_once(emulator: TelegramEmulator, bot: Bot) -> None:
    await emulator.user_sends("/start")
    emulator.fail_next("sendMessage", code=429, retry_after=1)

    await TelegramSender(bot).send(1001, [QUESTION])

    assert [message.text for message in emulator.sent_to(1001)] == ["団体の種類を選んでください。"]


async def test_retry_after_gives_up_after_the_bounded_attempts(emulator: TelegramEmulator, bot: Bot) -> None:
    await emulator.user_sends("/start")
    emulator.fail_next("sendMessage", code=429, retry_after=1, times=5)

    with pytest.raises(Exception, match="Flood control exceeded"):
        await TelegramSender(bot, replace(FLOOD_CONTROL, max_attempts=2)).send(1001, [QUESTION])
    assert emulator.sent_to(1001) == []


async def test_callback_data_over_64_bytes_is_rejected_like_the_real_server(emulator: TelegramEmulator, bot: Bot) -> None:
    await emulator.user_sends("/start")
    too_long = TextMessage(text="どれにしますか？", choices=[Choice(label="長い", payload="f:" + "あ" * 21)])  # 65 bytes

    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await TelegramSender(bot).send(1001, [too_long])
    assert emulator.sent_to(1001) == []


async def test_a_pressed_button_is_acknowledged_and_an_expired_query_is_ignored(emulator: TelegramEmulator, bot: Bot) -> None:
    await emulator.user_sends("/start")
    sender = TelegramSender(bot)
    await sender.send(1001, [QUESTION])
    query = (await emulator.user_presses("NPO法人"))["callback_query"]

    await sender.acknowledge(query["id"])
    await sender.acknowledge(query["id"])  # a redelivered update: Telegram says the query is too old

    assert [answer.callback_query_id for answer in emulator.answers] == [query["id"]]
