"""The core's replies as LINE messages: within LINE's limits, nothing lost."""

from __future__ import annotations

from linebot.v3.messaging import Message as LineMessage

from bot.channels.line.messages import MAX_TEXT_UNITS, split_text, to_batches
from bot.core.messages import CardMessage, CardRow, Choice, TextMessage
from bot.core.text import utf16_length


def test_long_texts_are_split_under_5000_utf16_units_and_nothing_is_lost() -> None:
    text = ("𠮷野家の行\n" * 900) + "終わり"  # 𠮷 takes two UTF-16 units
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(utf16_length(piece) <= MAX_TEXT_UNITS for piece in pieces)
    assert "\n".join(pieces) == text


def test_buttons_become_quick_replies_on_the_last_piece() -> None:
    choices = [Choice(label=f"選択肢{n}", payload=f"o:{n}") for n in range(15)]
    [[first, last]] = to_batches([TextMessage(text="あ" * 6000, choices=choices)])
    assert "quickReply" not in first
    items = last["quickReply"]["items"]
    assert len(items) == 13
    assert items[0]["action"] == {"type": "postback", "label": "選択肢0", "data": "o:0", "displayText": "選択肢0"}


def test_more_than_five_messages_are_joined_then_split_into_calls() -> None:
    replies = [TextMessage(text=f"お知らせ{n}") for n in range(7)] + [TextMessage(text="質問です", choices=[Choice(label="はい", payload="y:yes")])]
    batches = to_batches(replies)
    assert [len(batch) for batch in batches] == [1]
    assert batches[0][0]["text"].startswith("お知らせ0\n\nお知らせ1") and batches[0][0]["quickReply"]

    cards = [CardMessage(title=f"下書き{n}", rows=[CardRow(label="団体名", value="ふちゅう")]) for n in range(7)]
    assert [len(batch) for batch in to_batches(cards)] == [5, 2]


def test_the_summary_card_becomes_a_flex_bubble() -> None:
    card = CardMessage(title="提案の下書き", rows=[CardRow(label="団体名", value="ふちゅうまちづくりネット")], footer="確認してください")
    [[flex]] = to_batches([card])
    assert flex["type"] == "flex" and "提案の下書き" in flex["altText"]
    assert flex["contents"]["body"]["contents"][0]["contents"][1]["text"] == "ふちゅうまちづくりネット"


def test_every_message_is_one_the_sdk_reads_back_unchanged() -> None:
    """The JSON is built by hand (the SDK's models are slow): the SDK's own models must accept it as it is."""
    choices = [Choice(label="はい", payload="y:yes"), Choice(label="とても長いボタンの名前はここで切られます", payload="y:no")]
    replies = [
        TextMessage(text="ご用件を選んでください", choices=choices),
        CardMessage(title="提案の下書き", rows=[CardRow(label="団体名", value="")], footer="確認", choices=choices),
    ]
    for message in [message for batch in to_batches(replies) for message in batch]:
        assert LineMessage.from_dict(message).to_dict() == message
