"""The README's settings table and bot/settings.py describe the same settings: every field has its row, under the
name it is read from, with the same default, and the table names nothing the settings do not read."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic.fields import FieldInfo

from bot.settings import REPOSITORY_ROOT, Settings

README = REPOSITORY_ROOT / "README.md"


def variable(name: str, field: FieldInfo) -> str:
    """The environment variable a field is read from."""
    return field.validation_alias if isinstance(field.validation_alias, str) else f"KYOSO_{name.upper()}"


def shown_default(field: FieldInfo) -> str:
    """The default as the README writes it: ``unset``, ``empty``, or the value in backticks (where it depends on the
    folder the server runs in, ``<cwd>``; on where the repository is, ``<repository>``)."""
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float | int):
        text = str(int(value)) if float(value).is_integer() else str(value)
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    elif field.default_factory is not None:  # made when the settings are read: in the folder the server runs in
        text = str(value).replace(str(Path.cwd()), "<cwd>")
    else:
        text = str(value).replace(str(REPOSITORY_ROOT), "<repository>")
    return f"`{text}`"


def readme_defaults() -> dict[str, str]:
    """Each variable of the README's settings table and its default cell (a row naming several splits its cell
    at the same ``, `` or `` / ``)."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Settings"):].split("\n## ", 1)[0]
    defaults: dict[str, str] = {}
    for row in re.findall(r"^\| (`[A-Z_]+`.*?) \| (.*?) \| .* \|$", table, flags=re.M):
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", row[0])
        separator = " / " if " / " in row[0] else ", "
        cells = row[1].split(separator) if len(names) > 1 else [row[1]]
        assert len(cells) == len(names), f"README settings row {row[0]}: {len(names)} names, {len(cells)} defaults"
        defaults.update(zip(names, cells, strict=True))
    return defaults


def test_every_setting_is_in_the_readme_with_its_default_and_nothing_else_is() -> None:
    documented = readme_defaults()
    fields = {variable(name, field): field for name, field in Settings.model_fields.items()}
    assert sorted(set(fields) - set(documented)) == [], "settings missing from the README's table"
    assert sorted(set(documented) - set(fields)) == [], "README rows for settings that do not exist"
    wrong = {name: (documented[name], shown_default(field)) for name, field in fields.items()
             if not documented[name].startswith(shown_default(field))}
    assert wrong == {}, "README default (left) differs from bot/settings.py (right)"
