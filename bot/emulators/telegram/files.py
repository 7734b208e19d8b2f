"""Files users send to the bot: ``getFile`` and the download URL ``/file/bot{token}/{file_path}``, as Telegram serves them.

The Bot API lets a bot download files up to 20 MB; ``getFile`` of a larger one answers
"Bad Request: file is too big". A ``file_path`` is valid for an hour on Telegram; here until ``forget``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.emulators.telegram.errors import bad_request

DOWNLOAD_LIMIT = 20 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    data: bytes

    def to_api(self, **extra: Any) -> dict[str, Any]:
        """The file as a message carries it (``document``, a ``photo`` size), with ``extra`` fields (name, type)."""
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": len(self.data), **extra}


class Files:
    def __init__(self, token: str) -> None:
        self._token = token
        self._files: dict[str, StoredFile] = {}

    def add(self, data: bytes, folder: str, extension: str) -> StoredFile:
        unique = secrets.token_hex(8)
        stored = StoredFile("BQAC" + secrets.token_urlsafe(24), unique, f"{folder}/file_{unique}.{extension}", data)
        self._files[stored.file_id] = stored
        return stored

    def forget(self, file_id: str) -> None:
        """As if Telegram no longer had the file (``getFile`` then answers "wrong file_id")."""
        self._files.pop(file_id, None)

    def get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if len(stored.data) > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return {**stored.to_api(), "file_path": stored.path}

    def install(self, app: web.Application) -> None:
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)

    async def _download(self, request: web.Request) -> web.Response:
        found = next((f for f in self._files.values() if f.path == request.match_info["path"]), None)
        if request.match_info["token"] != self._token or found is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=found.data, content_type="application/octet-stream")
