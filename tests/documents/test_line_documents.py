"""A 企画書 sent on LINE (through the emulator's message content API) reaches the staff mail as an attachment."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import aiohttp

from bot.core import payloads
from bot.core.documents import NewDocument
from bot.core.draft import DocumentNote
from bot.core.messages import UserKey
from bot.emulators.line.platform import Fault
from tests.documents.files import EXE, PDF, PNG
from tests.documents.servers import answer_the_rest
from tests.harness import PASSWORD, LineStack
from tests.helpers import wait_until
from tests.mail import Inbox
from tests.proposals import make_submission

USER = "U" + "d" * 32


async def _start_draft(line: LineStack) -> None:
    await line.emulator.follow(USER)
    await line.settled()
    await line.emulator.tap(USER, "提案の下書きをつくる")
    await line.settled()


async def test_a_pdf_sent_on_line_reaches_the_staff_mail(line_with_mail: LineStack, inbox: tuple[Inbox, int]) -> None:
    line, (mail, _) = line_with_mail, inbox
    await _start_draft(line)
    await line.emulator.send_file(USER, "企画書.pdf", PDF)
    await line.settled()
    said = line.emulator.texts(USER)
    assert any("「企画書.pdf」を受け取りました" in text for text in said[-2:]) and "団体名" in said[-1]
    big = PNG + bytes(600 * 1024)  # fits a file (1 MB), not the mail beside the PDF (0.5 MB in all)
    await line.emulator.send_image(USER, big)
    await line.settled()
    assert any("「画像.png」を受け取りました" in text for text in line.emulator.texts(USER)[-2:])

    assert line.app is not None
    await answer_the_rest(line.app.store, UserKey(channel="line", user_id=USER))
    await line.emulator.send([line.emulator.postback_event(USER, payloads.COMMAND + "skip")])
    await line.settled()
    assert any("添付資料" in text for text in line.emulator.texts(USER)), "the summary card lists the files"
    await line.emulator.tap(USER, "この内容で送る")
    await line.settled()
    await line.emulator.tap(USER, "同意して送る")
    await line.settled()
    assert any("受付番号は KY-" in text for text in line.emulator.texts(USER)[-3:])

    staff = "kyodo@city.example.jp"  # the proposer's 受付控え may come first: it goes to their own address
    for _ in range(600):  # the handoff dispatcher runs in the background
        if any(staff in to for to in mail.recipients):
            break
        await asyncio.sleep(0.05)
    [message] = [message for message, to in zip(mail.messages, mail.recipients, strict=True) if staff in to]
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert files["企画書.pdf"].get_content() == PDF and files["企画書.pdf"].get_content_type() == "application/pdf"
    assert "画像.png" not in files, "beyond the mail's size limit"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "企画書.pdf（" in body and "画像.png（600.1 KB）: メールの容量の上限を超えるため添付していません。管理画面でご確認ください。" in body


async def test_a_renamed_program_and_a_file_line_no_longer_keeps_are_answered(line_with_mail: LineStack) -> None:
    line = line_with_mail
    await _start_draft(line)
    await line.emulator.send_file(USER, "企画書.pdf", EXE)
    await line.settled()
    assert any("この種類のファイルはお預かりできません" in text for text in line.emulator.texts(USER)[-2:])
    await line.emulator.send_file(USER, "古い資料.pdf", PDF, kept=False)  # LINE keeps content for a limited time only
    await line.settled()
    assert any("ファイルを受け取れませんでした" in text for text in line.emulator.texts(USER)[-2:])
    await line.emulator.send_file(USER, "大きい.pdf", PDF + bytes(2 * 1024 * 1024))
    await line.settled()
    assert any("1件 1MB まで" in text for text in line.emulator.texts(USER)[-2:])
    fetched = [call for call in line.emulator.calls if call.endpoint == "content"]
    assert len(fetched) == 2, "a file LINE says is too large is not fetched"



async def test_only_logged_in_staff_download_a_drafts_file(line_with_mail: LineStack) -> None:
    line = line_with_mail
    assert line.app is not None
    user = UserKey(channel="line", user_id=USER)
    async with line.app.store.turn(user) as turn:
        kept = await turn.keep_document(NewDocument(name="企画書 最終版.pdf", kind="pdf", data=PDF, received_at=datetime.now(UTC)))
        reference = await turn.submit(make_submission(user=user).model_copy(update={"documents": [
            DocumentNote(id=kept, name="企画書 最終版.pdf", kind="pdf", size=len(PDF))]}))
    path = f"/staff/drafts/{reference}/documents/{kept}"

    page = await line.staff_page(f"/staff/drafts/{reference}")
    assert f'href="{path}"' in page and "企画書 最終版.pdf" in page

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as anonymous:
        refused = await anonymous.get(line.base_url + path, allow_redirects=False)
        assert refused.status in (302, 303) and "/staff/login" in refused.headers["Location"]
        assert PDF not in await refused.read()
        followed = await anonymous.get(line.base_url + path)
        assert "ログイン" in await followed.text() and PDF not in await followed.read()

    async with await _logged_in(line) as staff:
        answer = await staff.get(line.base_url + path)
        assert answer.status == 200 and await answer.read() == PDF
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''%E4%BC%81%E7%94%BB%E6%9B%B8%20%E6%9C%80%E7%B5%82%E7%89%88.pdf" in answer.headers["Content-Disposition"]
        other = await submit_other(line)
        for wrong in (f"/staff/drafts/{other}/documents/{kept}", f"/staff/drafts/{reference}/documents/{kept + 1}",
                      f"/staff/drafts/{reference}/documents/x", f"/staff/drafts/{reference}/documents/99999999999999"):
            assert (await staff.get(line.base_url + wrong)).status == 404, wrong


async def submit_other(line: LineStack) -> str:
    assert line.app is not None
    async with line.app.store.turn(UserKey(channel="line", user_id="U-other")) as turn:
        return await turn.submit(make_submission(user=UserKey(channel="line", user_id="U-other")))


async def _logged_in(line: LineStack) -> aiohttp.ClientSession:
    """A browser session of a staff member logged in to the console."""
    await line.staff_page("/staff/drafts")  # makes the staff member
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    page = await (await session.get(f"{line.base_url}/staff/login")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    await session.post(f"{line.base_url}/staff/login", data={"name": "sato", "password": PASSWORD, "csrf_token": csrf.group(1)})
    return session


async def test_a_failed_content_fetch_is_tried_again_and_the_file_kept_once(line_with_mail: LineStack) -> None:
    line = line_with_mail
    await _start_draft(line)
    line.emulator.fail_next("content", Fault(status=500))  # LINE's data server fails once
    await line.emulator.send_file(USER, "企画書.pdf", PDF)
    await wait_until(lambda: any("企画書.pdf" in text for text in line.emulator.texts(USER)), "the retried event's answer")
    await line.settled()
    assert [call.status for call in line.emulator.calls if call.endpoint == "content"] == [500, 200]
    assert sum("「企画書.pdf」を受け取りました" in text for text in line.emulator.texts(USER)) == 1
    assert line.app is not None
    async with line.app.store.turn(UserKey(channel="line", user_id=USER)) as turn:
        assert [note.name for note in turn.state.documents] == ["企画書.pdf"]
