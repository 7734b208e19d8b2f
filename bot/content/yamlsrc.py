"""Read YAML while remembering the line of every key and list item.

Pydantic reports an error location as a path (``('steps', 3, 'text')``);
:class:`LineMap` turns that path back into the line an editor should look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class LineMap:
    lines: dict[Path_, int] = field(default_factory=dict)
    block_text_starts: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, location: Path_) -> int:
        """The line of the deepest part of ``location`` that exists in the file.

        Parts that are not in the file (pydantic's union tags, for example) are
        stepped over.
        """
        known: Path_ = ()
        for part in location:
            if known + (part,) in self.lines:
                known = known + (part,)
        return self.lines.get(known, 1)

    def line_in_text(self, location: Path_, text: str, offset: int) -> int:
        """The line of character ``offset`` of a string value (block scalars span several lines)."""
        start = self.block_text_starts.get(location)
        if start is None:
            return self.line_of(location)
        return start + text.count("\n", 0, offset)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml (≈10× faster), same marks
    """SafeLoader with YAML 1.2 booleans: はい/いいえ codes such as ``yes`` and ``no`` stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, f"YAML syntax: {error.problem or error}") from error
    line_map = LineMap()
    if node is None:
        return None, line_map
    return _build(node, (), line_map, _Loader("")), line_map


def _build(node: yaml.Node, path: Path_, line_map: LineMap, loader: _Loader) -> Any:
    line_map.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in result:
                raise YamlSyntaxError(key_node.start_mark.line + 1, f"duplicate key '{key}'")
            result[key] = _build(value_node, path + (key,), line_map, loader)
            line_map.lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (index,), line_map, loader) for index, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        line_map.block_text_starts[path] = node.start_mark.line + 2
    return loader.construct_object(node, deep=True)


def strings(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every string in loaded YAML data, with its key path (for ``LineMap``)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings(value, path + (index,))
