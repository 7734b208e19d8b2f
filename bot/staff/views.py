"""The console's pages and form handlers (the guard in ``app.py`` has already checked session and CSRF)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

from aiohttp import web
from multidict import MultiMapping

from bot.core.workflow import NEXT, RETURNABLE, STATUSES, can_move
from bot.handoff.dossier import Dossier
from bot.handoff.render import STAFF_TIMEZONE
from bot.staff import exports
from bot.staff.context import (
    NOTE_MAX,
    REPLY_MAX,
    flash,
    posted_text,
    redirect,
    render,
    replace_session,
    root_path,
    services_of,
    session_of,
    staff_name,
    url,
)
from bot.staff.dates import BadDate, day_start, typed_day
from bot.staff.passwords import MIN_LENGTH, hash_password, verify_password, weakness
from bot.staff.services import StaffServices
from bot.staff.sessions import COOKIES, Session
from bot.staff.throttle import THROTTLE
from storage.staff import DraftFilter, NotReturnable, StaleStatus, UnknownDraft

MAX_NAME = 64  # longer names are cut (no staff name is this long)


def add_routes(router: web.UrlDispatcher) -> None:
    for path, name, show, submit in [("/login", "login", login_page, login),
                                     ("/password", "password", password_page, change_password)]:
        resource = router.add_resource(path, name=name)
        resource.add_route("GET", show)
        resource.add_route("POST", submit)
    router.add_post("/logout", logout, name="logout")
    router.add_post("/session", extend_session, name="api_session")
    router.add_get("/", _to_drafts, name="home")
    router.add_get("/drafts", drafts_page, name="drafts")
    router.add_get("/drafts/{reference}", draft_page, name="draft")
    router.add_get("/drafts/{reference}/print", printable, name="print")
    router.add_get("/drafts/{reference}/dossier.pdf", pdf, name="pdf")
    router.add_post("/drafts/{reference}/status", change_status, name="status")
    router.add_post("/drafts/{reference}/return", return_draft, name="give_back")
    router.add_post("/drafts/{reference}/notes", add_note, name="notes")
    router.add_post("/drafts/{reference}/replies", add_reply, name="replies")
    router.add_post("/drafts/{reference}/deliveries/{id}/retry", retry_delivery, name="retry")
    router.add_get("/questions", questions_page, name="questions")
    router.add_get("/retention", retention_page, name="retention")
    router.add_get("/export.csv", export_csv, name="api_export_csv")
    router.add_get("/export.json", export_json, name="api_export_json")
    router.add_static("/static", Path(__file__).parent / "static", name="static")


# --- log-in -----------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", next=request.query.get("next", ""), error="")


async def login(request: web.Request) -> web.Response:
    services = services_of(request)
    form = await request.post()
    name, password = str(form.get("name", "")).strip()[:MAX_NAME], str(form.get("password", ""))
    now, address = services.clock.now(), request.remote or ""
    if request.app[THROTTLE].begin(name, address, now) is not None:
        error = "ログインの失敗が続いたため、一時的にログインできません。しばらくたってから、もう一度お試しください。"
        return render(request, "login.html", status=403, next=form.get("next", ""), error=error)
    user = await services.accounts.get_user(name)
    # The same hash is computed for an unknown name (so the time tells nothing), in a thread (it takes ~0.1 s).
    if not await asyncio.to_thread(verify_password, user.password_hash if user else None, password) or user is None:
        await services.accounts.login_failed(name, now)
        error = "名前またはパスワードが正しくありません。"
        return render(request, "login.html", status=401, next=form.get("next", ""), error=error)
    request.app[THROTTLE].succeeded(name, address)
    await services.accounts.login_succeeded(name, now)
    replace_session(request, Session(staff=name, temporary_password=user.password_is_temporary, issued_at=now.timestamp()))
    wanted = str(form.get("next", ""))
    safe = wanted.startswith(root_path(request)) and not wanted.startswith("//") and wanted.isprintable()
    return redirect(wanted if safe else url(request, "drafts"))


async def logout(request: web.Request) -> web.Response:
    services = services_of(request)
    await services.accounts.end_sessions(staff_name(request), services.clock.now())
    replace_session(request, Session())
    return redirect(url(request, "login"))


async def extend_session(request: web.Request) -> web.Response:
    """The page's 「ログインを延長する」: the session ends ``max_age`` from now instead (WCAG 2.2.1)."""
    cookies = request.app[COOKIES]
    replace_session(request, cookies.extended(session_of(request)))
    return web.json_response({"seconds_left": cookies.seconds_left(session_of(request))})


async def password_page(request: web.Request) -> web.Response:
    return render(request, "password.html", error="", min_length=MIN_LENGTH)


async def change_password(request: web.Request) -> web.Response:
    services = services_of(request)
    name = session_of(request).staff or ""
    form = await request.post()
    current, new, again = (str(form.get(key, "")) for key in ("current", "new", "again"))
    user = await services.accounts.get_user(name)
    if user is None or not verify_password(user.password_hash, current):
        error = "いまのパスワードが正しくありません。"
    elif (problem := weakness(new, name)) is not None:
        error = problem
    elif new != again:
        error = "確認のために入力した新しいパスワードが一致しません。"
    elif new == current:
        error = "いまと違うパスワードにしてください。"
    else:
        now = services.clock.now()
        await services.accounts.set_password(name, hash_password(new), temporary=False, now=now)
        # The other sessions end; this one starts again.
        replace_session(request, Session(staff=name, issued_at=now.timestamp(), flash="パスワードを変更しました。"))
        return redirect(url(request, "drafts"))
    return render(request, "password.html", status=400, error=error, min_length=MIN_LENGTH)


# --- drafts -----------------------------------------------------------------------------


async def _to_drafts(request: web.Request) -> web.Response:
    return redirect(url(request, "drafts"))


async def drafts_page(request: web.Request) -> web.Response:
    services = services_of(request)
    wanted, problems = _filter(request.query)
    rows = await services.staff.find_drafts(wanted)
    return render(
        request, "drafts.html", rows=rows, wanted=wanted, problems=problems, statuses=STATUSES,
        types=services.builder.options("proposal_type"), themes=await _themes(services),
        label=services.builder.label, query=dict(request.query),
    )


async def _themes(services: StaffServices) -> list[str]:
    """Every theme offered now, then any older one a stored draft was submitted under."""
    offered = [code for code, _ in services.builder.options("theme")]
    return list(dict.fromkeys([*offered, *await services.staff.themes()]))


async def draft_page(request: web.Request) -> web.Response:
    return await _draft_page(request)


async def _draft_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    services = services_of(request)
    reference = request.match_info["reference"]
    stored = await services.store.get_draft(reference)
    if stored is None:
        return _not_found(request, reference)
    await services.staff.record(staff_name(request), "view", {}, services.clock.now(), [reference])
    return render(
        request, "draft.html", status=status, dossier=services.builder.build(stored), next_statuses=NEXT.get(stored.status, ()),
        returnable=services.frame.returnable() if stored.status in RETURNABLE else [],
        versions=await services.staff.versions(reference), field_label=services.builder.field_label, shown=services.builder.label,
        field_names=lambda names: "、".join(map(services.builder.field_label, names)),
        activity=await services.staff.activity(reference), deliveries=await services.handoff.statuses(reference),
        answers=await services.answers.for_draft(reference),
        error=error, note_max=NOTE_MAX, reply_max=REPLY_MAX,
    )


async def printable(request: web.Request) -> web.Response:
    dossier = await _dossier(request, "print")
    # The printable document carries its own <style> (the same HTML is mailed and made into the PDF).
    policy = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"}
    return web.Response(text=services_of(request).renderer.html(dossier), content_type="text/html", headers=policy)


async def pdf(request: web.Request) -> web.Response:
    dossier = await _dossier(request, "pdf")
    body = await services_of(request).renderer.pdf(dossier)
    disposition = f'inline; filename="{dossier.reference}.pdf"'
    return web.Response(body=body, content_type="application/pdf", headers={"Content-Disposition": disposition})


async def _dossier(request: web.Request, shown_as: str) -> Dossier:
    services = services_of(request)
    reference = request.match_info["reference"]
    stored = await services.store.get_draft(reference)
    if stored is None:
        raise web.HTTPNotFound(text=f"受付番号 {reference} の提案は見つかりません。")
    await services.staff.record(staff_name(request), "view", {"as": shown_as}, services.clock.now(), [reference])
    return services.builder.build(stored)


async def change_status(request: web.Request) -> web.Response:
    services = services_of(request)
    reference = request.match_info["reference"]
    form = await request.post()
    current, new, note = str(form.get("current", "")), str(form.get("status", "")), str(form.get("note", "")).strip()
    personal = str(form.get("personal", "")).strip()
    if not can_move(current, new):
        return await _draft_page(request, f"「{current}」から「{new}」には変更できません。", status=400)
    if len(note) > NOTE_MAX or len(personal) > REPLY_MAX:
        return await _draft_page(request, f"メモは{NOTE_MAX}文字、ひとことは{REPLY_MAX}文字以内にしてください。", status=400)
    stored = await services.store.get_draft(reference)
    if stored is None:
        return _not_found(request, reference)
    notice = services.frame.status_change(reference, stored.draft.title, current, new, personal)
    try:
        await services.staff.change_status(
            reference, current, new, staff_name(request), note, services.clock.now(), notice, personal,
        )
    except StaleStatus:
        message = "ほかの職員が先に状態を変更しました。いまの状態を確かめてから、もう一度選んでください。"
        return await _draft_page(request, message, status=409)
    services.wake_replies()
    told = "提案者にお知らせします。" if notice else "提案者へのお知らせはありません。"
    flash(request, f"状態を「{new}」に変更しました。{told}")
    return redirect(url(request, "draft", reference=reference))


async def return_draft(request: web.Request) -> web.Response:
    """差し戻し: the proposer is asked to improve the chosen fields; the draft waits for their revision."""
    services = services_of(request)
    reference = request.match_info["reference"]
    form = await request.post()
    chosen, message = {str(value) for value in form.getall("fields", [])}, str(form.get("message", "")).strip()
    stored = await services.store.get_draft(reference)
    if stored is None:
        return _not_found(request, reference)
    returnable = services.frame.returnable()
    wanted = [(name, label) for name, label in returnable if name in chosen]
    if not wanted or len(wanted) != len(chosen):
        return await _draft_page(request, "修正をお願いする項目を、一覧から1つ以上選んでください。", status=400)
    if not message or len(message) > REPLY_MAX:
        return await _draft_page(request, f"提案者へのコメントを、{REPLY_MAX}文字以内で書いてください。", status=400)
    notice, button = services.frame.returned(reference, stored.draft.title, message, [label for _, label in wanted])
    try:
        await services.staff.return_draft(
            reference, [name for name, _ in wanted], message, staff_name(request), services.clock.now(), notice,
            [button.model_dump()],
        )
    except UnknownDraft:
        return _not_found(request, reference)
    except (NotReturnable, StaleStatus):
        problem = f"いまの状態（{stored.status}）では差し戻せません。状態を確かめてから、もう一度お試しください。"
        return await _draft_page(request, problem, status=409)
    services.wake_replies()
    flash(request, "差し戻しました。提案者が修正して送ると、新しい版として届きます。")
    return redirect(url(request, "draft", reference=reference))


def _not_found(request: web.Request, reference: str) -> web.Response:
    message = f"受付番号 {reference} の提案は見つかりません（削除されたか、番号が違います）。"
    return render(request, "error.html", status=404, message=message)


async def add_note(request: web.Request) -> web.Response:
    services = services_of(request)
    reference = request.match_info["reference"]
    text, problem = await posted_text(request, NOTE_MAX, "メモ")
    if problem:
        return await _draft_page(request, problem, status=400)
    await services.staff.add_note(reference, staff_name(request), text, services.clock.now())
    flash(request, "メモを残しました。")
    return redirect(url(request, "draft", reference=reference))


async def add_reply(request: web.Request) -> web.Response:
    services = services_of(request)
    reference = request.match_info["reference"]
    text, problem = await posted_text(request, REPLY_MAX, "返信")
    if problem:
        return await _draft_page(request, problem, status=400)
    sent = services.frame.about_draft(reference, text)
    await services.staff.add_reply(reference, staff_name(request), text, services.clock.now(), sent=sent)
    services.wake_replies()
    flash(request, "返信を受け付けました。提案者が使った経路で、まもなく届きます（送信の状況は返信の横に出ます）。")
    return redirect(url(request, "draft", reference=reference))


async def retry_delivery(request: web.Request) -> web.Response:
    services = services_of(request)
    reference, delivery_id = request.match_info["reference"], int(request.match_info["id"])
    if delivery_id not in {delivery.id for delivery in await services.handoff.statuses(reference)}:
        raise web.HTTPNotFound()
    now = services.clock.now()
    await services.handoff.deliveries.retry_now(delivery_id, now)
    await services.staff.record(staff_name(request), "retry", {"delivery": delivery_id}, now, [reference])
    return redirect(url(request, "draft", reference=reference))


# --- lists and exports --------------------------------------------------------------------


async def questions_page(request: web.Request) -> web.Response:
    store = services_of(request).store
    return render(
        request, "questions.html",
        unanswered=await store.question_counts(["unanswered"]),
        suggested=await store.question_counts(["suggested"]),
    )


async def retention_page(request: web.Request) -> web.Response:
    """What the next `kyoso purge` will forget (counts only: the page must not show what it protects)."""
    services = services_of(request)
    cutoff = services.clock.now() - timedelta(days=services.retention_days)
    return render(request, "retention.html", preview=await services.purge_preview(cutoff), days=services.retention_days)


async def export_csv(request: web.Request) -> web.Response:
    services = services_of(request)
    dossiers = await _export(request, "csv")
    activities = {dossier.reference: await services.staff.activity(dossier.reference) for dossier in dossiers}
    body = exports.to_csv(dossiers, services.builder.criteria(), activities)
    return _download(body, "text/csv; charset=utf-8", "csv", request)


async def export_json(request: web.Request) -> web.Response:
    body = exports.to_json(await _export(request, "json"))
    return _download(body, "application/json; charset=utf-8", "json", request)


async def _export(request: web.Request, kind: str) -> list[Dossier]:
    services = services_of(request)
    wanted, _ = _filter(request.query)
    references = [row.reference for row in await services.staff.find_drafts(wanted)]
    stored = {draft.reference: draft for draft in await services.store.list_drafts()}
    await services.staff.record(staff_name(request), "export", {"format": kind}, services.clock.now(), references)
    return [services.builder.build(stored[reference]) for reference in references if reference in stored]


def _download(body: bytes, content_type: str, extension: str, request: web.Request) -> web.Response:
    today = services_of(request).clock.now().astimezone(STAFF_TIMEZONE)
    name = f"kyoso-drafts-{today:%Y%m%d}.{extension}"
    return web.Response(body=body, headers={
        "Content-Type": content_type, "Content-Disposition": f'attachment; filename="{name}"',
    })


def _filter(query: MultiMapping[str]) -> tuple[DraftFilter, list[str]]:
    """The list filters from the query string; dates are Japan dates, the 'to' day included."""
    problems: list[str] = []

    def day(key: str, label: str) -> date | None:
        try:
            return typed_day(query, key, label)
        except BadDate as error:
            problems.append(str(error))
            return None

    since, until = day("from", "開始日"), day("to", "終了日")
    return DraftFilter(
        status=query.get("status", ""),
        proposal_type=query.get("type", ""),
        theme=query.get("theme", ""),
        submitted_from=day_start(since) if since else None,
        submitted_before=day_start(until + timedelta(days=1)) if until else None,
        text=query.get("q", ""),
    ), problems
