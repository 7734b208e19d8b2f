"""Pydantic models of the content files. Field names here are what editors write."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeGuard, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NonEmpty = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- conditions -------------------------------------------------------------


class Condition(Strict):
    """``{field: X, equals: v}``, ``{field: X, in: [..]}``, ``{field: X, filled: true}``,
    or ``{all: [...]}`` / ``{any: [...]}`` of those."""

    field: str | None = None
    equals: str | None = None
    one_of: list[str] | None = Field(default=None, alias="in")
    filled: bool | None = None
    all: list[Condition] | None = None
    any: list[Condition] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        tests = [self.equals is not None, self.one_of is not None, self.filled is not None]
        if self.all is not None or self.any is not None:
            if self.field is not None or any(tests) or (self.all is not None and self.any is not None):
                raise ValueError("use either 'all' or 'any' alone, without 'field'")
        elif self.field is None or sum(tests) != 1:
            raise ValueError("a condition needs 'field' and exactly one of 'equals', 'in', 'filled'")
        return self

    def fields(self) -> set[str]:
        names = {self.field} if self.field else set()
        for part in (self.all or []) + (self.any or []):
            names |= part.fields()
        return names


# --- dialog steps -----------------------------------------------------------

CommandName = Literal[
    "back", "edit", "skip", "keep", "restart", "pause", "resume", "menu", "human", "delete_data", "transfer", "stop_reminders"
]
COMMAND_NAMES: frozenset[str] = frozenset(get_args(CommandName))


def is_command(name: str) -> TypeGuard[CommandName]:
    """Whether ``name`` is one of the fixed commands (a button's payload or a word list may name anything)."""
    return name in COMMAND_NAMES


class Option(Strict):
    value: NonEmpty
    label: NonEmpty
    words: list[NonEmpty] = Field(default_factory=list, description="other ways a user may type this answer")
    next: str | None = None
    faq: str | None = Field(default=None, description="answer this FAQ entry and ask the same step again")
    reply: str | None = Field(default=None, description="said when this option is chosen, before moving on")
    command: CommandName | None = Field(default=None, description="run this command (e.g. human: 担当者に相談)")
    show: Literal["my_proposals"] | None = Field(default=None, description="list the user's submitted drafts (わたしの提案)")
    when: Condition | None = Field(default=None, description="offered only when this holds")


class StepBase(Strict):
    id: NonEmpty = Field(pattern=r"^[a-z][a-z0-9_]*$")
    when: Condition | None = Field(default=None, description="the step runs only when this holds")


class SayStep(StepBase):
    type: Literal["say"]
    text: NonEmpty
    next: NonEmpty


class ChoiceStep(StepBase):
    type: Literal["choice"]
    text: NonEmpty
    field: str | None = None
    options: list[Option] = Field(default_factory=list)
    options_from: str | None = Field(default=None, description="a list in faq/facts.yaml or an option set in common.yaml")
    branches: dict[str, str] = Field(default_factory=dict, description="chosen value -> next step")
    next: str | None = None
    optional: bool = False
    skip_if_filled: bool = False

    @model_validator(mode="after")
    def _has_options(self) -> ChoiceStep:
        if bool(self.options) == bool(self.options_from):
            raise ValueError("give either 'options' or 'options_from'")
        return self


class TextStep(StepBase):
    type: Literal["text"]
    text: NonEmpty
    field: NonEmpty
    validate_as: Literal["text", "email", "phone"] = Field(default="text", alias="validate")
    max_length: int = Field(default=200, ge=1, le=5000)
    optional: bool = False
    required_unless: str | None = Field(default=None, description="optional when this field is filled")
    required_text: str | None = Field(
        default=None, min_length=1, description="asked instead of text while the required_unless field is empty"
    )
    skip_if_filled: bool = False
    next: NonEmpty


class ReportItem(Strict):
    field: NonEmpty
    label: NonEmpty


class Verdicts(Strict):
    """What the report says after each criterion's label, by the answer given."""

    met: NonEmpty
    not_met: NonEmpty
    unknown: NonEmpty


class Advice(Strict):
    when: Condition
    text: NonEmpty


class ReportStep(StepBase):
    """Says in one line each which criteria look met (はい), not met (いいえ) or unclear, and what to do next."""

    type: Literal["report"]
    title: NonEmpty
    met_value: NonEmpty = "yes"
    not_met_value: NonEmpty = "no"
    verdicts: Verdicts
    items: list[ReportItem] = Field(min_length=1)
    all_met: NonEmpty
    not_all_met: NonEmpty
    advice: list[Advice] = Field(default_factory=list)
    next: NonEmpty


class SummaryRow(Strict):
    field: NonEmpty
    label: NonEmpty


class SummaryStep(StepBase):
    type: Literal["summary"]
    title: NonEmpty
    rows: list[SummaryRow] = Field(min_length=1)
    empty_value: NonEmpty
    text: NonEmpty
    options: list[Option] = Field(min_length=1)


class EditMenuStep(StepBase):
    type: Literal["edit_menu"]
    text: NonEmpty
    summary: NonEmpty = Field(description="the summary step whose rows can be edited")


class ConsentStep(StepBase):
    """Shows the privacy notice; the option with value ``agree`` records consent."""

    type: Literal["consent"]
    text: NonEmpty
    options: list[Option] = Field(min_length=2)


class SubmitStep(StepBase):
    type: Literal["submit"]
    text: NonEmpty = Field(description="said after submitting; {reference} is the reference number")
    invalid: NonEmpty = Field(description="said when the draft is incomplete")
    on_invalid: NonEmpty
    next: NonEmpty


class FaqListStep(StepBase):
    type: Literal["faq_list"]
    text: NonEmpty


Step = Annotated[
    SayStep | ChoiceStep | TextStep | ReportStep | SummaryStep | EditMenuStep | ConsentStep | SubmitStep | FaqListStep,
    Field(discriminator="type"),
]
ASKING_STEPS = (ChoiceStep, TextStep, SummaryStep, EditMenuStep, ConsentStep, FaqListStep)


class Dialog(Strict):
    title: NonEmpty
    progress: str | None = Field(
        default=None, min_length=1, description="shown above each question, e.g. 質問 {number}/{total}"
    )
    steps: list[Step] = Field(min_length=1)


# --- common.yaml ------------------------------------------------------------


class Command(Strict):
    label: NonEmpty
    words: list[NonEmpty] = Field(default_factory=list)
    goto: str | None = None


class Messages(Strict):
    not_understood: NonEmpty
    back_to_question: NonEmpty
    cannot_skip: NonEmpty
    cannot_go_back: NonEmpty
    nothing_to_edit: NonEmpty
    restart_confirm: NonEmpty
    restart_done: NonEmpty
    restart_cancelled: NonEmpty
    delete_confirm: NonEmpty
    delete_cancelled: NonEmpty
    deleted: NonEmpty
    submitted_drafts_kept: NonEmpty = Field(description="after データ削除: what remains and why; {references}")
    paused: NonEmpty
    resumed: NonEmpty
    current_value: NonEmpty
    reused_answers: NonEmpty = Field(description="answers given earlier that a form uses without asking again; {answers}")
    dated_fact: NonEmpty = Field(description="added where a fact of a past fiscal year is used; {year}")
    more_choices: NonEmpty
    choose_number: NonEmpty = Field(description="a typed number that is none of the numbered answers; {last}")
    numbered_hint: NonEmpty = Field(description="LINE: above the answers listed as numbered lines (for LINE on a PC, which shows no quick replies)")
    faq_not_found: NonEmpty
    did_you_mean: NonEmpty
    none_of_these: NonEmpty
    none_fits: NonEmpty = Field(description="after どれでもない: no answer here, the question is kept for staff; offers 担当者に相談")
    slow_down: NonEmpty = Field(description="said once when a user (or a browser's address) sends too much too fast")
    one_to_one: NonEmpty = Field(description="said in group chats (LINE groups/rooms, Telegram groups): the bot talks 1:1 only")
    not_text: NonEmpty = Field(description="what staff see in place of a sticker, picture or file the user sent")
    unsent: NonEmpty = Field(description="what staff see in place of a message the user withdrew (LINE's 送信取消)")


class ValidationMessages(Strict):
    empty: NonEmpty
    not_text: NonEmpty = Field(description="said to a sticker, picture or file: the bot reads only text")
    too_long: NonEmpty
    no_content: NonEmpty
    email: NonEmpty
    phone: NonEmpty


class FormTexts(Strict):
    """「フォームでまとめて入力」: the long answers of the draft on one web page, saved into the same draft."""

    dialog: NonEmpty = Field(description="the dialog (file name) whose text questions the form asks")
    fields: list[NonEmpty] = Field(min_length=1, description="the fields of those questions, in order")
    link: NonEmpty = Field(description="said above the first of those questions; {form_url}, {minutes}")
    app_link: NonEmpty = Field(
        description="said instead of link where the channel's own app opens the form (LINE's LIFF: no expiry); {form_url}"
    )
    link_for_staff: NonEmpty = Field(
        description="the link's line as staff see it among the last lines (the link opens the user's own draft); {minutes}"
    )
    title: NonEmpty
    intro: NonEmpty
    save: NonEmpty = Field(description="the button")
    saved: NonEmpty = Field(description="the page after saving")
    errors: NonEmpty = Field(description="above the form when an answer was refused")
    expired: NonEmpty = Field(description="a link that is too old or not ours (on LINE: an ID token LINE refuses)")
    opening: NonEmpty = Field(description="on LINE (LIFF): while the page learns from LINE who opened it")
    not_opened: NonEmpty = Field(description="on LINE (LIFF): the page could not learn it (LINE did not answer, no script)")

    def step_ref(self, content_steps: dict[str, Any], field: str) -> str | None:
        """The ref of the dialog's text question for ``field``."""
        return next(
            (ref for ref, step in content_steps.items()
             if ref.startswith(self.dialog + ".") and isinstance(step, TextStep) and step.field == field),
            None,
        )


class Feedback(Strict):
    """「役に立ちましたか？」 under an FAQ answer (not inside a form), with one button each way."""

    question: NonEmpty
    yes: NonEmpty = Field(description="the button that says the answer helped")
    no: NonEmpty = Field(description="the button that says it did not")
    thanks_yes: NonEmpty
    thanks_no: NonEmpty


class Common(Strict):
    start: NonEmpty = Field(description="first step for a new user")
    home: NonEmpty = Field(description="step after a restart")
    resume_after_hours: float = Field(default=12, gt=0)
    max_choices: int = Field(default=13, ge=3, le=13)
    max_label_length: int = Field(default=20, ge=1)
    question_markers: list[NonEmpty] = Field(default_factory=list)
    commands: dict[CommandName, Command]
    confirm: dict[Literal["yes", "no"], Command]
    option_sets: dict[str, list[Option]] = Field(default_factory=dict)
    text_step_buttons: list[CommandName] = Field(default_factory=list)
    choice_step_buttons: list[CommandName] = Field(default_factory=list)
    messages: Messages
    validation: ValidationMessages
    form: FormTexts | None = None
    feedback: Feedback | None = Field(default=None, description="asked under FAQ answers (none: not asked)")
    channel_words: dict[str, dict[str, str]] = Field(
        default_factory=lambda: {"default": dict[str, str]()},
        description="words that differ by channel ({here}: このトーク / この画面 …), by channel; 'default' for the rest",
    )

    def words_for(self, channel: str) -> dict[str, str]:
        return self.channel_words.get(channel, self.channel_words["default"])

    @field_validator("channel_words")
    @classmethod
    def _same_words_everywhere(cls, channel_words: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        if "default" not in channel_words:
            raise ValueError("a 'default' entry is needed (for the channels not named)")
        names = set(channel_words["default"])
        for channel, words in channel_words.items():
            if set(words) != names:
                differ = ", ".join(sorted(names ^ set(words)))
                raise ValueError(f"channel_words.{channel}: every channel names the same words as 'default' (differs in: {differ})")
        return channel_words

    @model_validator(mode="after")
    def _all_commands(self) -> Common:
        missing = COMMAND_NAMES - set(self.commands)
        if missing:
            raise ValueError(f"commands missing: {', '.join(sorted(missing))}")
        return self


# --- intents.yaml (what a typed line can ask the bot to do) -----------------------

ALWAYS_CONFIRMED: tuple[CommandName, ...] = ("restart", "delete_data")  # they ask their own question first


class Intent(Strict):
    """One thing a user can ask for in their own words: a command, an item of the menu, or a reply (small talk)."""

    id: NonEmpty = Field(pattern=r"^[a-z][a-z0-9_]*$")
    option: str | None = Field(default=None, description="the value of an item of the menu (commands.menu.goto)")
    command: CommandName | None = None
    reply: str | None = Field(default=None, description="said for small talk (こんにちは), then the current question again")
    ask: str | None = Field(default=None, description="asked (with はい/いいえ) when the bot is not sure, e.g. 提案の下書きをつくりますか？")
    examples: list[NonEmpty] = Field(min_length=3, description="ways people type it (plain, polite, casual)")

    @model_validator(mode="after")
    def _one_action(self) -> Intent:
        if [self.option, self.command, self.reply].count(None) != 2:
            raise ValueError("give one of 'option', 'command' or 'reply'")
        if self.ask is None and self.reply is None and self.command not in ALWAYS_CONFIRMED:
            raise ValueError("'ask' is missing: the question asked when the bot is not sure it understood")
        return self


class Intents(Strict):
    leaving_form: NonEmpty = Field(description="said before asking whether to leave a half-filled form for a typed request")
    declined: NonEmpty = Field(description="said after いいえ to a question such as 提案の下書きをつくりますか？")
    or_answer: NonEmpty = Field(description="added when the line could also be the answer to the question: {answer} is the line")
    confirm_answer: NonEmpty = Field(description="asked when a free-text question is answered with only はい/いいえ: {answer} is the line")
    intents: list[Intent] = Field(default_factory=list)


# --- consultation.yaml (担当者に相談) ---------------------------------------------


class AnswerTime(Strict):
    """When staff answer. The city's page gives no hours: staff fill them in; until then the bot names none."""

    business_hours: str | None = Field(default=None, description="e.g. 平日 8時30分〜17時15分 (empty: not said)")
    typical_delay: str | None = Field(default=None, description="e.g. 2営業日以内 (empty: not said)")
    with_hours: NonEmpty = Field(description="said when business_hours is filled in; uses {business_hours}")
    without_hours: NonEmpty = Field(description="said while business_hours is empty")
    delay: NonEmpty = Field(description="added when typical_delay is filled in; uses {typical_delay}")


class ConsultationTexts(Strict):
    """What the bot says when a person takes over the conversation. ``{answer_time}`` is filled in from ``answer_time``."""

    answer_time: AnswerTime
    offer: NonEmpty = Field(description="after two questions in a row the FAQ could not answer: a yes/no question")
    offer_declined: NonEmpty
    ask: NonEmpty = Field(description="asks for the question in one message (staff can reply on the user's channel)")
    ask_with_contact: NonEmpty = Field(description="the same, also asking how to reply (channels staff cannot reply on)")
    cancelled: NonEmpty = Field(description="the user went back instead of sending the question")
    opened: NonEmpty = Field(description="the consultation is open; {consultation} is its number")
    opened_with_contact: NonEmpty
    waiting_note: NonEmpty = Field(description="said once to a message sent before a person has taken the consultation")
    taken_note: NonEmpty = Field(description="said once, to the first message after a person took the consultation")
    withdrawn: NonEmpty = Field(description="the user withdrew a consultation nobody had taken yet")
    closed: NonEmpty = Field(description="staff closed the consultation; the pending question follows")
    abandoned: NonEmpty = Field(description="closed after the user sent nothing for a while; the pending question follows")


# --- submission.yaml (what happens after a draft is submitted) -------------------------


class ContactTime(Strict):
    """When staff get in touch. The city's page gives no time frame: staff fill it in; until then none is named."""

    time_frame: str | None = Field(default=None, description="e.g. 2週間以内 (empty: not said)")
    with_time_frame: NonEmpty = Field(description="said when time_frame is filled in; uses {time_frame}")
    without_time_frame: NonEmpty = Field(description="said while time_frame is empty")


class OfficialForm(Strict):
    """Whether the proposal form on the city's page is still needed: staff write it; until then the bot says whom to ask."""

    text: str | None = Field(default=None, description="what staff confirmed (empty: unconfirmed is said)")
    unconfirmed: NonEmpty


class SubmissionTexts(Strict):
    """Said below the reference number (``{next_steps}`` in the submit step's text)."""

    contact: ContactTime
    official_form: OfficialForm


# --- replies.yaml (staff replies after a handoff, and the proposer's answers) ------------------


class ReplyTexts(Strict):
    """How staff replies reach a proposer, and what the bot says when the proposer's answer goes to staff."""

    draft_reply: NonEmpty = Field(description="a reply from the draft page; {reference} and {text} (what staff wrote)")
    consultation_reply: NonEmpty = Field(description="a reply in a consultation; {consultation} and {text}")
    forwarded: NonEmpty = Field(description="the proposer's answer went to staff; {reference}")


# --- after_handoff.yaml (the proposal's life after submission) ---------------------------------


class StatusTexts(Strict):
    """What the proposer is told when staff move their draft; an empty text sends nothing."""

    frame: NonEmpty = Field(description="around every status notice; {reference}, {title}, {text}")
    personal: NonEmpty = Field(description="the line a staff member adds; {note}")
    messages: dict[str, str | None] = Field(default_factory=dict, description="by the new status")
    transitions: dict[str, str | None] = Field(default_factory=dict, description="'from→to': instead of messages for that move")

    def text_for(self, old: str, new: str) -> str:
        """The words for this move ('' when it sends nothing)."""
        move = f"{old}{MOVE}{new}"
        return (self.transitions[move] if move in self.transitions else self.messages.get(new)) or ""


MOVE = "→"


class ReturnTexts(Strict):
    """差し戻し: staff return a draft listing the fields to improve; the proposer edits them and sends it again."""

    notice: NonEmpty = Field(description="pushed to the proposer; {reference}, {title}, {message}, {fields}")
    start: NonEmpty = Field(description="the button under the notice that starts the revision")
    intro: NonEmpty = Field(description="when the revision starts; {reference}, {message}, {fields} (one line each)")
    field: NonEmpty = Field(description="one line of {fields} in intro; {label}, {value}")
    not_returned: NonEmpty = Field(description="修正 of a field staff did not return; {fields}")
    closed: NonEmpty = Field(description="the draft no longer waits for a revision; {reference}")
    resubmitted: NonEmpty = Field(description="after sending it again; {reference}, {version}")


class ReceiptTexts(Strict):
    """受付控え: the mail to a proposer who gave an e-mail address."""

    subject: NonEmpty = Field(description="{reference}")
    body: NonEmpty = Field(description="{contact_name}, {reference}, {summary}, {next_steps}")


class MyProposalsTexts(Strict):
    """わたしの提案: the drafts the user submitted, and one of them in full."""

    intro: NonEmpty
    line: NonEmpty = Field(description="one draft in the list; {reference}, {title}, {status}, {date}")
    none: NonEmpty
    title: NonEmpty = Field(description="above one draft in full; {reference}, {version}")
    footer: NonEmpty = Field(description="below it; {status}, {date}")
    gone: NonEmpty = Field(description="a button of a draft that is not the user's (any more)")


class AfterHandoffTexts(Strict):
    status: StatusTexts
    returned: ReturnTexts
    receipt: ReceiptTexts
    my_proposals: MyProposalsTexts


class PrivacyNotice(Strict):
    version: NonEmpty
    confirmed: bool = Field(default=True, description="false until staff have checked the wording (kyoso check notes it)")
    title: NonEmpty
    text: NonEmpty


# --- faq/ -------------------------------------------------------------------


class FaqEntry(Strict):
    id: NonEmpty = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: NonEmpty
    paraphrases: list[NonEmpty] = Field(default_factory=list)
    keywords: list[NonEmpty] = Field(default_factory=list)
    answer: Annotated[str, Field(min_length=1, max_length=5000)]
    related: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    source: NonEmpty = Field(description="the section of the source page the answer comes from")
    menu: bool = Field(default=False, description="listed under よくある質問")
    label: NonEmpty = Field(description="button text (at most 20 characters): menus, related questions, did-you-mean")
    commands: list[CommandName] = Field(default_factory=list, description="command buttons under the answer (e.g. human)")


class FaqFile(Strict):
    entries: list[FaqEntry] = Field(min_length=1)


class OutsideTopic(Strict):
    """A subject of other city services that this window does not handle (ごみ, 住民票, 税金 …)."""

    id: NonEmpty = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: NonEmpty
    examples: list[NonEmpty] = Field(min_length=3)


class OutOfScope(Strict):
    """faq/out_of_scope.yaml: what the bot says to a question about another city service, and the topics it knows are not its own."""

    answer: NonEmpty = Field(description="facts from the page or staff files only; {topic} is the topic's label")
    topics: list[OutsideTopic] = Field(min_length=1)


class Synonyms(Strict):
    """faq/synonyms.yaml: groups of words the FAQ matcher reads as the group's first word."""

    synonyms: list[Annotated[list[NonEmpty], Field(min_length=2)]] = Field(default_factory=list)


class DatedFact(Strict):
    """A fact that holds for one fiscal year: ``{value: 700万円, year: 令和6年度}``."""

    value: str | int
    year: NonEmpty = Field(description="the fiscal year the value is from, e.g. 令和6年度 or 2024年度")


class CountedFact(Strict):
    """How many of something the page names, so that no text names another number of them."""

    count: int = Field(ge=1)
    words: list[NonEmpty] = Field(min_length=1, description="what texts call them (提案方法, 提案の種類, …)")
    items: list[NonEmpty] = Field(default_factory=list, description="their names, for the report of a wrong count")


class Facts(Strict):
    """``facts`` holds each fact's value; the year of a dated fact is moved to ``years`` when loaded."""

    facts: dict[str, str | int | DatedFact] = Field(default_factory=dict)
    lists: dict[str, list[NonEmpty]] = Field(default_factory=dict)
    counts: dict[str, CountedFact] = Field(default_factory=dict)
    years: dict[str, str] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="after")
    def _split_years(self) -> Facts:
        for name, fact in list(self.facts.items()):
            if isinstance(fact, DatedFact):
                self.facts[name] = fact.value
                self.years[name] = fact.year
        return self
