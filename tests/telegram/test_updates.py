"""Telegram updates become the core's inbound messages; groups are turned away politely."""

from __future__ import annotations

import pytest
from telegram import Bot, Update

from bot.channels.telegram.updates import GroupNotice, update_to_inbound
from bot.core.messages import Inbound, UserKey
from bot.emulators.telegram import TelegramEmulator
from bot.settings import Settings

COMMANDS = Settings().telegram_commands
HANAKO = UserKey(channel="telegram", user_id="1001")


def parse(update: dict, bot: Bot) -> Inbound | GroupNotice | None:
    """The update as the core gets it; the sender's language (the emulator's users speak ja) is checked on its own."""
    found = update_to_inbound(Update.de_json(update, bot), COMMANDS)
    if isinstance(found, Inbound):
        assert found.language_hint == "ja"
        return found.model_copy(update={"language_hint": None})
    return found


async def test_typed_text_is_text(emulator: TelegramEmulator, bot: Bot) -> None:
    assert parse(await emulator.user_sends("団体名は府中ネットです"), bot) == Inbound(user=HANAKO, text="団体名は府中ネットです")


@pytest.mark.parametrize(
    ("typed", "command"),
    [("/start", "resume"), ("/start campaign-42", "resume"), ("/menu", "menu"), ("/menu@kyoso_emulator_bot", "menu"),
     ("/restart", "restart"), ("/cancel", "pause")],
)
async def test_slash_commands_are_the_core_commands(emulator: TelegramEmulator, bot: Bot, typed: str, command: str) -> None:
    assert parse(await emulator.user_sends(typed), bot) == Inbound(user=HANAKO, payload=f"c:{command}")


async def test_an_unknown_command_is_passed_on_as_text(emulator: TelegramEmulator, bot: Bot) -> None:
    assert parse(await emulator.user_sends("/help"), bot) == Inbound(user=HANAKO, text="/help")


async def test_a_pressed_button_is_its_payload(emulator: TelegramEmulator, bot: Bot) -> None:
    await emulator.user_sends("/start")
    await bot.send_message(1001, "どうしますか？", reply_markup={"inline_keyboard": [[{"text": "はい", "callback_data": "o:yes"}]]})
    assert parse(await emulator.user_presses("はい"), bot) == Inbound(user=HANAKO, payload="o:yes")


@pytest.mark.parametrize("kind", ["group", "supergroup"])
async def test_group_messages_get_the_one_to_one_notice(emulator: TelegramEmulator, bot: Bot, kind: str) -> None:
    update = await emulator.group_message("/start", chat_id=-4242, kind=kind)
    assert parse(update, bot) == GroupNotice(chat_id=-4242)
