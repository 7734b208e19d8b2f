"""The console's consultations (担当者に相談): list, detail, take, reply, close, and the live stream of a conversation.

The stream is server-sent events that read the database about once a second, so a staff member's page
follows the user's messages whichever worker stored them (no in-process state is shared).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from bot.core.consultation import CLOSED
from bot.core.required import required
from bot.handoff.render import japanese_datetime, speaker
from bot.staff.context import REPLY_MAX, flash, posted_text, redirect, render, services_of, staff_name, url
from bot.staff.services import StaffServices
from storage.consultations import Consultation, ConsultationMessage
from storage.staff import DraftFilter

POLL_SECONDS = 1.0
STREAM_SECONDS = 300.0  # then the browser reconnects (EventSource does it by itself), from the last message seen
STOPPING = web.AppKey("consultation_streams_stopping", asyncio.Event)
STATUS_LABELS = {"open": "受付待ち", "taken": "対応中", "closed": "終了"}


def add_routes(app: web.Application) -> None:
    app[STOPPING] = asyncio.Event()
    app.on_shutdown.append(_stop_streams)
    router = app.router
    router.add_get("/consultations", consultations_page, name="consultations")
    router.add_get("/consultations/{id:\\d+}", consultation_page, name="consultation")
    router.add_get("/consultations/{id:\\d+}/events", events, name="consultation_events")
    router.add_post("/consultations/{id:\\d+}/take", take, name="take")
    router.add_post("/consultations/{id:\\d+}/replies", reply, name="consultation_replies")
    router.add_post("/consultations/{id:\\d+}/close", close, name="close")


async def _stop_streams(app: web.Application) -> None:
    app[STOPPING].set()


def status_label(consultation: Consultation) -> str:
    label = STATUS_LABELS.get(consultation.status, consultation.status)
    return f"{label}（{consultation.taken_by}さん）" if consultation.status == "taken" else label


async def consultations_page(request: web.Request) -> web.Response:
    consultations = services_of(request).consultations
    return render(
        request, "consultations.html", waiting=await consultations.find(), closed=await consultations.find(closed=True),
        status_label=status_label,
    )


async def consultation_page(request: web.Request) -> web.Response:
    return await _page(request)


async def _page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    services = services_of(request)
    consultation = await _consultation(request)
    messages = await services.consultations.messages(consultation.id)
    _shown(services, consultation, messages)
    builder = services.builder
    context = consultation.context
    return render(
        request, "consultation.html", status=status, consultation=consultation, messages=messages, error=error,
        status_label=status_label(consultation), reply_max=REPLY_MAX,
        mine=consultation.taken_by == staff_name(request), reachable=consultation.user.channel in services.reply_channels,
        after=messages[-1].id if messages else 0,
        drafts=await services.staff.find_drafts(DraftFilter(user=consultation.user)),
        draft=[(builder.field_label(name), builder.label(name, value)) for name, value in context.get("draft", {}).items() if value],
        criteria=[builder.criterion(name, value) for name, value in context.get("criteria", {}).items()],
    )


async def take(request: web.Request) -> web.Response:
    services = services_of(request)
    consultation = await _consultation(request)
    if not await services.consultations.take(consultation.id, staff_name(request), services.clock.now()):
        message = "ほかの職員が先に対応を始めたか、相談が終わっています。いまの状態を確かめてください。"
        return await _page(request, message, status=409)
    flash(request, "この相談の対応を始めました。")
    return redirect(url(request, "consultation", id=str(consultation.id)))


async def reply(request: web.Request) -> web.Response:
    services = services_of(request)
    consultation = await _consultation(request)
    text, problem = await posted_text(request, REPLY_MAX, "返信")
    if problem:
        return await _page(request, problem, status=400)
    if consultation.user.channel not in services.reply_channels:
        return await _page(request, "この経路にはお返事を送れません。相談者が書き添えたお返事先にご連絡ください。", status=409)
    sent = services.frame.in_consultation(consultation.id, text)
    if not await services.consultations.reply(consultation.id, staff_name(request), text, services.clock.now(), sent=sent):
        return await _page(request, "返信できるのは、この相談に対応している職員だけです（相談が終わっている場合も返信できません）。", status=409)
    services.wake_replies()
    flash(request, "返信を受け付けました。相談者が使っている経路で、まもなく届きます。")
    return redirect(url(request, "consultation", id=str(consultation.id)))


async def close(request: web.Request) -> web.Response:
    services = services_of(request)
    consultation = await _consultation(request)
    if consultation.status == "taken" and consultation.taken_by != staff_name(request):
        return await _page(request, f"この相談は{consultation.taken_by}さんが対応しています。", status=409)
    if not await services.desk.close(consultation.id, staff_name(request)):
        return await _page(request, "この相談はすでに終わっています。", status=409)
    flash(request, "相談を終えました。ここからはボットが相談者を案内します。")
    return redirect(url(request, "consultation", id=str(consultation.id)))


async def events(request: web.Request) -> web.StreamResponse:
    """``said`` for each new message (its id is the event id), ``status`` when it changes, ``end`` once closed."""
    services = services_of(request)
    consultation = await _consultation(request)
    after = _int(request.headers.get("Last-Event-ID") or request.query.get("after", "0"))
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"})
    response.headers["Cache-Control"] = "no-store"
    await response.prepare(request)
    stopping = request.app[STOPPING]
    loop = asyncio.get_running_loop()
    until = loop.time() + STREAM_SECONDS
    shown = None
    try:
        await response.write(b"retry: 1000\n\n")
        while not stopping.is_set() and loop.time() < until:
            new = await services.consultations.messages(consultation.id, after)
            for message in new:
                await response.write(_event("said", _said(message), message.id))
                after = message.id
            _shown(services, consultation, new)
            current = required(await services.consultations.get(consultation.id), "the consultation")
            if (current.status, current.taken_by) != shown:
                shown = (current.status, current.taken_by)
                await response.write(_event("status", {"status": current.status, "label": status_label(current)}))
            if current.status == CLOSED:
                await response.write(_event("end", {}))
                break
            try:
                await asyncio.wait_for(stopping.wait(), POLL_SECONDS)
            except TimeoutError:
                pass
    except ConnectionResetError:
        pass  # the page was closed
    return response


def _shown(services: StaffServices, consultation: Consultation, messages: list[ConsultationMessage]) -> None:
    """A staff member has the user's messages on screen: their channel may say so (LINE's 既読)."""
    said = [message for message in messages if message.sender == "user"]
    if said:
        services.seen_by_staff(consultation.user, said[-1].created_at)


def _said(message: ConsultationMessage) -> dict[str, Any]:
    return {"sender": message.sender, "who": speaker(message), "text": message.text, "at": japanese_datetime(message.created_at)}


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> bytes:
    lines = [f"event: {name}", *([f"id: {event_id}"] if event_id is not None else []),
             f"data: {json.dumps(data, ensure_ascii=False)}", "", ""]
    return "\n".join(lines).encode()


async def _consultation(request: web.Request) -> Consultation:
    found = await services_of(request).consultations.get(int(request.match_info["id"]))
    if found is None:
        raise web.HTTPNotFound(text="その相談は見つかりません。")
    return found


def _int(raw: str) -> int:
    return int(raw) if raw.isdigit() else 0
