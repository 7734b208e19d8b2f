"""The transcripts of tests/transcripts/ in the web chat, over its JSON API as the page calls it (tests/harness.py's
WebPlayer): typing, and pressing the buttons the bot offered; checked on what the page receives and what is stored."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.channels.web import CHANNEL
from tests.harness import TRANSCRIPTS, WebChat, WebPlayer, check_stored, play_transcript, playable_on_platforms

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # tests/test_transcripts.py: both


@pytest.mark.parametrize("path", [path for path in TRANSCRIPTS if playable_on_platforms(path)], ids=lambda path: path.stem)
async def test_transcript_in_the_web_chat(path: Path, web_chat: WebChat) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # unsafe: cookies from an IP
        script = await play_transcript(WebPlayer(http, web_chat.url), path)
    if "stored" in script:
        await check_stored(web_chat.app.store, script["stored"], CHANNEL)
