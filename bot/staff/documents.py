"""``GET /staff/drafts/{reference}/documents/{id}``: a file (企画書) sent with a submitted draft, for logged-in staff only.

The console's guard (``app.py``) sends anyone without a staff session to the log-in page; a document
that is not the draft's, or a draft without files, is 404. The file goes out as a download with
the type read from its bytes, and may never be shown inline (a file from outside could carry script).
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from bot.core.documents import MEDIA_TYPES
from bot.staff.context import services_of, staff_name


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/drafts/{reference}/documents/{id}", download, name="document")


async def download(request: web.Request) -> web.Response:
    services = services_of(request)
    reference, number = request.match_info["reference"], request.match_info["id"]
    files = services.renderer.files
    found = await files.file(reference, int(number)) if files is not None and number.isdigit() and len(number) < 10 else None
    if found is None:
        raise web.HTTPNotFound(text=f"受付番号 {reference} の提案に、この添付資料はありません。")
    await services.staff.record(staff_name(request), "download", {"document": found.note.name}, services.clock.now(), [reference])
    fallback = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in found.note.name)
    return web.Response(body=found.data, headers={
        "Content-Type": MEDIA_TYPES.get(found.note.kind, "application/octet-stream"),
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(found.note.name)}",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })
