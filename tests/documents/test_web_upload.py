"""Uploads to the web chat (``POST /api/chat/upload``) over a real socket: kept with the draft in progress, or refused
with a clear status and the bot's message, and nothing stored; a malformed body is a 400, never a 500."""

from __future__ import annotations

import aiohttp

from tests.documents.files import EXE, PDF
from tests.documents.servers import WebServer

UPLOAD = "/api/chat/upload"


async def _start_draft(http: aiohttp.ClientSession, url: str) -> None:
    await http.post(url + "/api/chat", json={"start": True})
    menu = await (await http.post(url + "/api/chat", json={"start": True})).json()
    draft = next(choice for choice in menu["messages"][-1]["choices"] if choice["label"] == "提案の下書きをつくる")
    await http.post(url + "/api/chat", json={"payload": draft["payload"]})


def _form(name: str, data: bytes, field: str = "file") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field(field, data, filename=name, content_type="application/pdf")
    return form


async def _said(answer: aiohttp.ClientResponse) -> str:
    return "\n".join(message.get("text", "") for message in (await answer.json())["messages"])


async def test_a_pdf_is_kept_a_renamed_program_and_a_large_file_are_refused(web: WebServer) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await _start_draft(http, web.url)
        kept = await http.post(web.url + UPLOAD, data=_form("企画書.pdf", PDF))
        assert kept.status == 200 and "「企画書.pdf」を受け取りました" in await _said(kept)
        wrong = await http.post(web.url + UPLOAD, data=_form("企画書.pdf", EXE))
        assert wrong.status == 415 and "この種類のファイルはお預かりできません" in await _said(wrong)
        large = await http.post(web.url + UPLOAD, data=_form("大きい.pdf", PDF + bytes(3 * 1024 * 1024)))
        assert large.status == 413 and "1件 1MB まで" in await _said(large)
        history = await (await http.get(web.url + "/api/history")).json()
        assert "企画書.pdf" in [entry["message"]["text"] for entry in history["messages"] if entry["who"] == "user"]
    assert await web.stored() == [("企画書.pdf", PDF)]


async def test_a_file_sent_before_any_draft_is_answered_and_not_kept(web: WebServer) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        answer = await http.post(web.url + UPLOAD, data=_form("企画書.pdf", PDF))
        assert answer.status == 200 and "このファイルはお預かりしていません" in await _said(answer)
    assert await web.stored() == []


async def test_malformed_uploads_get_400_and_nothing_is_kept(web: WebServer) -> None:
    boundary = "xyz"
    truncated = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 cut'.encode()
    bodies = [
        ({"Content-Type": "application/json"}, b'{"file": "x"}'),
        ({"Content-Type": "multipart/form-data"}, b"no boundary at all"),
        ({"Content-Type": f"multipart/form-data; boundary={boundary}"}, b"garbage without any boundary line"),
        ({"Content-Type": f"multipart/form-data; boundary={boundary}"}, truncated),
        ({"Content-Type": f"multipart/form-data; boundary={boundary}"}, f"--{boundary}--\r\n".encode()),
        ({"Content-Type": f"multipart/form-data; boundary={boundary}"}, truncated + f"\r\n--{boundary}\r\n".encode()),
        ({"Content-Type": f"multipart/form-data; boundary={boundary}"}, f"--{boundary}\r\nno headers end".encode()),
        ({"Content-Type": f"multipart/form-data; boundary={boundary}"}, f"--{boundary}\r\n\r\n\r\n--{boundary}--\r\n".encode()),
    ]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await _start_draft(http, web.url)
        for headers, body in bodies:
            answer = await http.post(web.url + UPLOAD, data=body, headers=headers)
            assert answer.status == 400, (headers, body, answer.status, await answer.text())
        not_named = await http.post(web.url + UPLOAD, data=_form("企画書.pdf", PDF, field="document"))
        assert not_named.status == 400 and "file" in (await not_named.json())["error"]
    assert await web.stored() == []
