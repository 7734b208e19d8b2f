"""/staff/gaps: unanswered and did-you-mean questions grouped by meaning, each exportable for `kyoso faq import`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from bot.core.ports import FaqHit
from bot.staff import gap_export, gaps
from bot.staff.context import render, services_of
from bot.staff.services import StaffServices

SHOWN_EXAMPLES = 10
OUTCOMES = ["unanswered", "suggested"]


@dataclass(frozen=True)
class Shown:
    group: gaps.Group
    nearest: FaqHit | None
    file: str  # the nearest entry's file in faq/ (its export is imported with --to this file)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/gaps", gaps_page, name="gaps")
    router.add_get("/gaps/entry.csv", new_entry_csv, name="api_gap_entry")
    router.add_get("/gaps/examples.csv", examples_csv, name="api_gap_examples")


async def _groups(services: StaffServices) -> list[gaps.Group]:
    asked = [gaps.Asked(row.question, row.count) for row in await services.store.question_counts(OUTCOMES)]
    embedder = services.embedder
    embed = (lambda texts: embedder.passages(texts, as_query=True)) if embedder is not None else None
    return await asyncio.to_thread(gaps.group, asked, embed)  # embedding takes a moment: not in the event loop


def _nearest(services: StaffServices, question: str) -> FaqHit | None:
    ranked = services.faq_index().ranked(question, limit=20)
    return next((found.hit for found in ranked if found.hit is not None), None)


async def gaps_page(request: web.Request) -> web.Response:
    services = services_of(request)
    content = services.content()
    shown = []
    for found in await _groups(services):
        nearest = _nearest(services, found.leader)
        source = content.faq_sources.get(nearest.entry_id) if nearest else None
        shown.append(Shown(found, nearest, source.file.name if source else ""))
    return render(request, "gaps.html", groups=shown, shown_examples=SHOWN_EXAMPLES, with_model=services.embedder is not None)


async def _group(request: web.Request) -> gaps.Group:
    wanted = request.query.get("q", "")
    found = next((found for found in await _groups(services_of(request)) if found.leader == wanted), None)
    if found is None:
        raise web.HTTPNotFound(text="このまとまりは見つかりません。新しい質問でまとまりが変わったかもしれません。ページを読み込み直してください。")
    return found


async def new_entry_csv(request: web.Request) -> web.Response:
    services = services_of(request)
    found = await _group(request)
    entry_id = gap_export.entry_id_for(found, services.content())
    return _download(gap_export.as_csv([gap_export.new_entry(found, entry_id)]), f"faq-{entry_id}.csv")


async def examples_csv(request: web.Request) -> web.Response:
    services = services_of(request)
    found = await _group(request)
    content = services.content()
    entry_id = request.query.get("entry", "")
    if content.faq_entry(entry_id) is None:
        raise web.HTTPBadRequest(text=f"FAQの項目「{entry_id}」はありません。")
    file_name, entries = gap_export.with_examples(content, entry_id, found)
    return _download(gap_export.as_csv(entries), f"faq-{file_name.removesuffix('.yaml')}.csv")


def _download(body: bytes, name: str) -> web.Response:
    return web.Response(body=body, headers={
        "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"',
    })
