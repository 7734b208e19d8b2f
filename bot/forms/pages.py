"""``/form/{token}``: the long answers of the draft on one page, prefilled, checked as in the chat, saved into the draft.

Each field is a text question of the dialogs (its question as the label, its length limit and checks);
a blank field is left for the chat. After saving, the user's chat gets what comes next (the next question).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from bot.content.loader import Content
from bot.content.models import FormTexts, TextStep
from bot.core.engine import Engine
from bot.core.messages import Outbound, UserKey
from bot.core.ports import Clock, ConversationStore
from bot.core.text import render
from bot.core.validation import Refusal, validate
from bot.forms.links import FORM_PATH, FormLinks

Push = Callable[[UserKey, list[Outbound]], Awaitable[None]]
_HEADERS = {
    "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
}


class Entrance(Protocol):
    """Another way into the form (the LIFF app on LINE): its own routes on the server."""

    def install(self, server: web.Application) -> None: ...


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    max_length: int
    value: str


@dataclass(frozen=True)
class FormPages:
    links: FormLinks
    content: Callable[[], Content]
    store: ConversationStore
    engine: Engine
    clock: Clock
    push: Push
    entrances: tuple[Entrance, ...] = ()

    def install(self, server: web.Application) -> None:
        server.router.add_get(FORM_PATH + "{token}", self._show)
        server.router.add_post(FORM_PATH + "{token}", self._save)
        for entrance in self.entrances:
            entrance.install(server)

    async def _show(self, request: web.Request) -> web.Response:
        user, form = self._user(request), self.content().common.form
        if user is None or form is None:
            return self._page(form, status=403, expired=True)
        async with self.store.turn(user) as turn:
            values = dict(turn.state.values)
        return self._page(form, fields=self._fields(form, values))

    async def _save(self, request: web.Request) -> web.Response:
        user, content = self._user(request), self.content()
        form = content.common.form
        if user is None or form is None:
            return self._page(form, status=403, expired=True)
        posted = await request.post()
        typed = {name: str(posted.get(name, "")) for name in form.fields}
        answers, errors = {}, {}
        for name, text in typed.items():
            step = _step(content, name)
            if step is None or not text.strip():
                continue
            checked = validate(step, text)
            if isinstance(checked, Refusal):
                message = getattr(content.common.validation, checked.reason)
                errors[name] = render(message, {"max": checked.max, "length": checked.length})
            else:
                answers[name] = checked
        if errors:
            return self._page(form, status=400, fields=self._fields(form, typed), errors=errors)
        if answers:
            await self.push(user, await self.engine.fill(user, answers))
        return self._page(form, saved=True)

    def _user(self, request: web.Request) -> UserKey | None:
        return self.links.read(request.match_info["token"], self.clock.now())

    def _fields(self, form: FormTexts, values: dict[str, str]) -> list[FormField]:
        content = self.content()
        facts = content.facts.facts
        return [
            FormField(name, render(step.text, facts), step.max_length, values.get(name, ""))
            for name in form.fields
            if (step := _step(content, name)) is not None
        ]

    def _page(self, form: FormTexts | None, status: int = 200, **values: object) -> web.Response:
        if form is None:
            return web.Response(status=404, text="not found")
        template = TEMPLATES.get_template("form.html")
        desk_name = str(self.content().facts.facts.get("desk_name", ""))
        page = template.render(**{"form": form, "desk_name": desk_name, "errors": {}, "fields": [], **values})
        return web.Response(text=page, status=status, content_type="text/html", headers=_HEADERS)


def _step(content: Content, field: str) -> TextStep | None:
    form = content.common.form
    ref = form.step_ref(content.steps, field) if form is not None else None
    step = content.steps.get(ref) if ref is not None else None
    return step if isinstance(step, TextStep) else None


TEMPLATES = Environment(loader=PackageLoader("bot.forms", "templates"), autoescape=select_autoescape(["html"]))
