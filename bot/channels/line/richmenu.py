"""The LINE rich menu (the fixed buttons under the chat), defined in ``dialogs/line/richmenu.yaml``.

Each button either runs a core command (メニュー, 担当者に相談, …) or picks an
item of the core's menu from wherever the user is: its postback carries
"open the menu, then choose", which the LINE channel plays as two inputs of one turn.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    AsyncMessagingApiBlob,
    Configuration,
    PostbackAction,
    RichMenuArea,
    RichMenuBounds,
    RichMenuRequest,
    RichMenuSize,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.channels.line.inbound import SEQUENCE
from bot.content.loader import Content
from bot.content.models import ChoiceStep, CommandName
from bot.content.problems import Problem
from bot.content.yamlsrc import YamlSyntaxError, load_yaml
from bot.core import payloads
from bot.core.required import required
from bot.settings import Settings

RICH_MENU_FILE = Path("dialogs") / "line" / "richmenu.yaml"
WIDTH = 2500


class RichMenuItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, Field(min_length=1, max_length=20)]
    option: str | None = Field(default=None, description="the value of an item of the menu (commands.menu.goto)")
    command: CommandName | None = None

    @model_validator(mode="after")
    def _one_action(self) -> RichMenuItem:
        if (self.option is None) == (self.command is None):
            raise ValueError("give either 'option' or 'command'")
        return self


class RichMenuFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=300)]
    chat_bar_text: Annotated[str, Field(min_length=1, max_length=14)]
    image: Annotated[str, Field(min_length=1, description="PNG or JPEG next to this file, 2500 pixels wide")]
    columns: Annotated[int, Field(ge=1, le=4)]
    row_height: Annotated[int, Field(ge=200, le=1686)] = 843
    items: Annotated[list[RichMenuItem], Field(min_length=1, max_length=20)]


def load_rich_menu(root: Path, content: Content) -> tuple[RichMenuFile | None, list[Problem]]:
    """Read and check the rich menu file; its problems are reported like every content problem."""
    path = root / RICH_MENU_FILE
    try:
        data, lines = load_yaml(path)
    except FileNotFoundError:
        return None, [Problem(path, 0, "file is missing")]
    except YamlSyntaxError as error:
        return None, [Problem(path, error.line, error.reason)]
    try:
        menu = RichMenuFile.model_validate(data)
    except ValidationError as error:
        return None, [
            Problem(path, lines.line_of(tuple(detail["loc"])), f"{'.'.join(map(str, detail['loc']))}: {detail['msg']}")
            for detail in error.errors()
        ]
    problems = []
    if not (path.parent / menu.image).is_file():
        problems.append(Problem(path, lines.line_of(("image",)), f"image '{menu.image}' is not next to this file"))
    offered = _menu_options(content)
    for index, item in enumerate(menu.items):
        if item.option is not None and item.option not in offered:
            where = lines.line_of(("items", index, "option"))
            problems.append(Problem(path, where, f"'{item.option}' is not an item of the menu: {sorted(offered)}"))
    return (menu if not problems else None), problems


def postback_data(item: RichMenuItem) -> str:
    if item.command is not None:
        return payloads.COMMAND + item.command
    return payloads.COMMAND + "menu" + SEQUENCE + payloads.OPTION + str(item.option)


def rich_menu_request(menu: RichMenuFile) -> RichMenuRequest:
    rows = (len(menu.items) + menu.columns - 1) // menu.columns
    width = WIDTH // menu.columns
    areas = [
        RichMenuArea(
            bounds=RichMenuBounds(x=(index % menu.columns) * width, y=(index // menu.columns) * menu.row_height, width=width, height=menu.row_height),
            action=PostbackAction(label=item.label, data=postback_data(item), display_text=item.label),
        )
        for index, item in enumerate(menu.items)
    ]
    return RichMenuRequest(
        size=RichMenuSize(width=WIDTH, height=rows * menu.row_height),
        selected=True,
        name=menu.name,
        chat_bar_text=menu.chat_bar_text,
        areas=areas,
    )


async def install_rich_menu(settings: Settings, content: Content) -> str:
    """Create the rich menu, upload its image and make it every user's default; returns its id."""
    menu, problems = load_rich_menu(settings.content_dir, content)
    if menu is None:
        raise ValueError("; ".join(problem.render(settings.content_dir) for problem in problems))
    token = required(settings.line_channel_access_token, "LINE_CHANNEL_ACCESS_TOKEN")
    image = settings.content_dir / RICH_MENU_FILE.parent / menu.image
    configuration = Configuration(host=settings.line_api_base_url, access_token=token.get_secret_value())
    async with AsyncApiClient(configuration) as client:
        created = await AsyncMessagingApi(client).create_rich_menu(rich_menu_request(menu))
        kind = "image/png" if image.suffix.lower() == ".png" else "image/jpeg"
        await AsyncMessagingApiBlob(client).set_rich_menu_image(
            created.rich_menu_id, image.read_bytes(), _headers={"Content-Type": kind}
        )
        await AsyncMessagingApi(client).set_default_rich_menu(created.rich_menu_id)
    rich_menu_id: str = created.rich_menu_id
    return rich_menu_id


def _menu_options(content: Content) -> set[str]:
    step = content.steps.get(content.common.commands["menu"].goto or "")
    return {option.value for option in step.options} if isinstance(step, ChoiceStep) else set()
