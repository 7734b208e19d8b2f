"""Shared by the accessibility tests: Chromium, axe-core (from tests/a11y/node_modules, put there by
scripts/install-axe and handed to each page by the test: no CDN), and the checks of what a person sees."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
# What JIS X 8341-3:2016 AA (WCAG 2.0 AA) asks, what WCAG 2.1 AA added, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_IN_CI = os.environ.get("CI") == "true"
needs_browser = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not _IN_CI, reason="Chromium is not installed: run scripts/install-browser (CI does)"
)


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    if not AXE.exists():
        message = "axe-core is not installed: run scripts/install-axe (scripts/test does)"
        pytest.fail(message) if _IN_CI else pytest.skip(message)
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Any, viewport: dict[str, int] = PHONE, **options: Any) -> Any:
    """A page in its own context (its own cookies) with axe-core given to every document it opens."""
    context = await browser.new_context(viewport=viewport, locale="ja-JP", **options)
    await context.add_init_script(path=str(AXE))
    return await context.new_page()


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    result = await page.evaluate(
        "async (tags) => await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })",
        AXE_TAGS,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


async def assert_accessible(page: Any, where: str) -> None:
    found = await serious_violations(page)
    assert not found, f"{where} at {page.viewport_size}: " + "\n".join(found)


async def horizontal_overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0: nothing scrolls sideways)."""
    return int(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


_CONTRAST = """([selector, property]) => {
    const rgb = (color) => color.match(/[\\d.]+/g).slice(0, 4).map(Number);
    const luminance = ([r, g, b]) => [r, g, b]
        .map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const behind = (element) => {
        for (let at = element.parentElement; at; at = at.parentElement) {
            const color = rgb(getComputedStyle(at).backgroundColor);
            if (color.length < 4 || color[3] > 0) return color;
        }
        return [255, 255, 255];
    };
    return [...document.querySelectorAll(selector)].map((element) => {
        const style = getComputedStyle(element);
        if (property.startsWith("outline") && (style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0)) return 0;
        const [a, b] = [luminance(rgb(getComputedStyle(element)[property])), luminance(behind(element))];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });
}"""


async def contrast_ratios(page: Any, selector: str, css_property: str) -> list[float]:
    """The contrast of ``css_property`` (a colour: a border, an outline) of each element matching ``selector``
    against the background behind it (WCAG 1.4.11 asks 3:1 for the parts of controls and the focus); 0 for an
    outline that is not drawn."""
    return [float(ratio) for ratio in await page.evaluate(_CONTRAST, [selector, css_property])]
