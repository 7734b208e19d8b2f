"""The transcripts of tests/transcripts/ over LINE: the real SDK, the emulator, the server, all over real sockets.

The user only follows, types texts and taps the quick replies the bot offered
(tests/harness.py's LinePlayer); the assertions are on what the emulator shows
the user and on what is stored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.line import CHANNEL
from tests.harness import TRANSCRIPTS, LineStack, check_stored, play_transcript, playable_on_platforms
from tests.proposals import HAPPY_PATH

USER = "U" + "1" * 32


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the server is the same on both: the happy path below
@pytest.mark.parametrize("path", [path for path in TRANSCRIPTS if playable_on_platforms(path)], ids=lambda path: path.stem)
async def test_transcript_over_line(path: Path, line: LineStack) -> None:
    script = await play_transcript(line.player(USER), path)
    if "stored" in script:
        assert line.app is not None
        await check_stored(line.app.store, script["stored"], CHANNEL, USER)


async def test_the_happy_path_on_both_databases_its_summary_a_flex_message_and_every_answer_a_reply(line: LineStack) -> None:
    script = await play_transcript(line.player(USER), HAPPY_PATH)
    assert line.app is not None
    await check_stored(line.app.store, script["stored"], CHANNEL, USER)
    summary = [m for m in line.emulator.seen[USER] if m["from"] == "bot" and m["type"] == "flex"]
    assert summary, "the draft summary is shown as a Flex message"
    bubble = str(summary[-1]["contents"])
    assert "特定非営利活動法人ふちゅうまちづくりネット" in bubble and "多摩川沿いの見守りウォーキング" in bubble
    calls = line.emulator.calls
    assert all(call.status == 200 for call in calls), [(c.endpoint, c.status, c.body) for c in calls if c.status != 200]
    assert {call.endpoint for call in calls} == {"reply"}, "every answer is a (free) reply, no push"
