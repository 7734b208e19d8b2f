"""回答テスト (/staff/answer-test): a question as the bot reads it, against the live content or the edited copy.

The page shows what `kyoso ask` prints (one account of it: bot/faq/explain.py): the decision, the top 5
with their scores and the words that matched. The edited copy (KYOSO_EDITED_CONTENT_DIR) is
bot/staff/edited_content.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from bot.content.problems import ContentInvalid
from bot.faq.explain import explain
from bot.staff.context import render, services_of

MAX_QUESTION = 500  # as much of a question as the bot keeps
SOURCES = {"live": "公開中の内容", "edited": "編集中の内容"}


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/answer-test", answer_test_page, name="answer_test")


async def answer_test_page(request: web.Request) -> web.Response:
    services = services_of(request)
    question = request.query.get("q", "").strip()
    source = request.query.get("source", "live") or "live"
    edited = services.edited_content
    values: dict[str, Any] = {"question": question, "source": source, "sources": SOURCES, "edited": edited, "max_question": MAX_QUESTION}
    problem = ""
    if source not in SOURCES:
        problem = "試す内容は「公開中の内容」か「編集中の内容」を選んでください。"
    elif source == "edited" and edited is None:
        problem = "編集中の内容のフォルダが設定されていません（KYOSO_EDITED_CONTENT_DIR）。"
    elif len(question) > MAX_QUESTION:
        problem = f"質問は{MAX_QUESTION}文字以内にしてください。"
    if problem:
        return render(request, "answer_test.html", status=400, problems=[problem], told=None, **values)
    if not question:
        return render(request, "answer_test.html", problems=[], told=None, **values)
    if source == "edited" and edited is not None:
        try:
            content, index = await asyncio.to_thread(edited.current)
        except ContentInvalid as invalid:
            mistakes = [problem.render(edited.root) for problem in invalid.problems]
            return render(request, "answer_test.html", status=409, told=None, content_problems=mistakes,
                          problems=["編集中の内容に誤りがあるため、試せません。kyoso check と同じ指摘です。"], **values)
    else:
        content, index = services.content(), services.faq_index()
    told = await asyncio.to_thread(explain, index, content, question)
    return render(request, "answer_test.html", problems=[], told=told, **values)
