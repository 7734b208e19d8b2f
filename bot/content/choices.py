"""The answers a choice step offers, and the items of the menu, as the content defines them.

They are content's own reading of its files, so the checks (bot/content/checks.py) and the core
both use them without content importing the core.
"""

from __future__ import annotations

from bot.content.loader import Content
from bot.content.models import ChoiceStep, Option


def choice_options(step: ChoiceStep, content: Content) -> list[Option]:
    """The step's own options, or a named option set (common.yaml), or a list of facts as options."""
    if step.options:
        return step.options
    name = step.options_from or ""
    if name in content.common.option_sets:
        return content.common.option_sets[name]
    return [Option(value=item, label=item) for item in content.facts.lists.get(name, [])]


def menu_options(content: Content) -> dict[str, Option]:
    """The items of the menu (the step `commands.menu.goto` leads to), by value."""
    step = content.steps.get(content.common.commands["menu"].goto or "")
    return {option.value: option for option in step.options} if isinstance(step, ChoiceStep) else {}
