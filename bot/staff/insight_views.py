"""The insights page (/staff/insights) and its CSV: how the bot is used and where people stop, as counts."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.handoff.render import CHANNEL_LABELS, STAFF_TIMEZONE
from bot.staff import insights, insights_export
from bot.staff.charts import Bar, bar_chart
from bot.staff.context import render, services_of, url
from bot.staff.insights import ALL, CONSULT, FAQ, RATES, UNITS, USE, BadQuery, Figures


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/insights", insights_page, name="insights")
    router.add_get("/insights.csv", insights_csv, name="api_insights_csv")


async def _figures(request: web.Request) -> Figures:
    services = services_of(request)
    today = services.clock.now().astimezone(STAFF_TIMEZONE).date()
    query = insights.read_query(request.query, today, CHANNEL_LABELS)
    used = await services.usage.between(query.start(), query.end())
    return insights.figures(query, used, services.content())


async def insights_page(request: web.Request) -> web.Response:
    try:
        figures = await _figures(request)
    except BadQuery as problem:
        return render(request, "insights.html", status=400, problems=[str(problem)], query=dict(request.query),
                      **_choices())
    return render(
        request, "insights.html", figures=figures, problems=[], query=figures.query.params(), charts=_charts(figures),
        csv_url=url(request, "api_insights_csv", query=figures.query.params()), **_choices(),
    )


async def insights_csv(request: web.Request) -> web.Response:
    try:
        figures = await _figures(request)
    except BadQuery as problem:
        return web.Response(status=400, text=str(problem), content_type="text/plain", charset="utf-8")
    query = figures.query
    name = f"kyoso-insights-{query.since:%Y%m%d}-{query.until:%Y%m%d}.csv"
    return web.Response(body=insights_export.to_csv(figures), headers={
        "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"',
    })


def _choices() -> dict[str, Any]:
    return {"units": UNITS, "channel_labels": CHANNEL_LABELS, "use": USE, "faq": FAQ, "rates": RATES, "consult": CONSULT,
            "all": ALL, "channel_name": insights.channel_name}


def _charts(figures: Figures) -> dict[str, object]:
    def per_period(metric: str) -> list[Bar]:
        return [Bar(period.label, (figures.get(metric, period.start),)) for period in figures.periods]

    answered = [
        Bar(period.label, tuple(figures.get(metric, period.start) for metric, _ in FAQ[1:4]))
        for period in figures.periods
    ]
    started = figures.get("draft_started") or 1
    steps = [
        Bar(step.label, (figures.reached.get((step.ref, ALL), 0),),
            note=f"{figures.reached.get((step.ref, ALL), 0)}（{round(100 * figures.reached.get((step.ref, ALL), 0) / started)}%）")
        for step in figures.steps
    ]
    submitted = figures.reached.get(("submitted", ALL), 0)
    steps.append(Bar("送信", (submitted,), note=f"{submitted}（{round(100 * submitted / started)}%）"))
    return {
        "started": bar_chart("chart-started", "会話の開始（期間ごと）", per_period("started"), ["会話の開始"]),
        "faq": bar_chart("chart-faq", "文章での質問への答え方（期間ごと）", answered, [name for _, name in FAQ[1:4]]),
        "consultations": bar_chart("chart-consultations", "担当者への相談（期間ごと）", per_period("consultations"), ["相談"]),
        "steps": bar_chart("chart-steps", "下書きの質問ごとの、進んだ会話の数", steps, ["進んだ会話"]),
    }
