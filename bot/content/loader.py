"""Load dialogs/ and faq/ into validated models, collecting every problem with its file and line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.content.continuation import ContinueTexts
from bot.content.documents import DOCUMENTS_FILE, DocumentTexts
from bot.content.faq_overlays import FACTS_FILE, NOT_ENTRY_FILES, OUT_OF_SCOPE_FILE, SYNONYMS_FILE
from bot.content.language_set import LANGUAGES_FILE, LanguageSet
from bot.content.models import (
    AfterHandoffTexts,
    ChoiceStep,
    Common,
    ConsentStep,
    ConsultationTexts,
    Dialog,
    EditMenuStep,
    Facts,
    FaqEntry,
    FaqFile,
    Intents,
    OutOfScope,
    PrivacyNotice,
    ReplyTexts,
    ReportStep,
    SayStep,
    Step,
    SubmissionTexts,
    SubmitStep,
    SummaryStep,
    Synonyms,
    TextStep,
)
from bot.content.problems import ContentInvalid, Problem
from bot.content.translations import Missing, Reader
from bot.content.yamlsrc import LineMap, YamlSyntaxError, load_yaml

COMMON_FILE = "common.yaml"
PRIVACY_FILE = "privacy_notice.yaml"
CONSULTATION_FILE = "consultation.yaml"
SUBMISSION_FILE = "submission.yaml"
REPLIES_FILE = "replies.yaml"
AFTER_HANDOFF_FILE = "after_handoff.yaml"
INTENTS_FILE = "intents.yaml"
CONTINUE_FILE = "continue.yaml"
SPECIAL_DIALOG_FILES = (
    COMMON_FILE, PRIVACY_FILE, CONSULTATION_FILE, SUBMISSION_FILE, REPLIES_FILE, INTENTS_FILE, DOCUMENTS_FILE,
    AFTER_HANDOFF_FILE, CONTINUE_FILE, LANGUAGES_FILE,
)  # not dialogs

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Source:
    """Where something came from, so later checks can point at the right line."""

    file: Path
    lines: LineMap
    path: tuple[str | int, ...] = ()

    def at(self, *parts: str | int) -> Source:
        return Source(self.file, self.lines, self.path + parts)

    def problem(self, reason: str) -> Problem:
        return Problem(self.file, self.lines.line_of(self.path), reason)

    def problem_in_text(self, text: str, offset: int, reason: str) -> Problem:
        return Problem(self.file, self.lines.line_in_text(self.path, text, offset), reason)


@dataclass
class Content:
    """Everything the engine and the FAQ index read, already cross-checked."""

    root: Path
    common: Common
    privacy: PrivacyNotice
    facts: Facts
    dialogs: dict[str, Dialog]
    faq: list[FaqEntry]
    consultation: ConsultationTexts
    submission: SubmissionTexts
    replies: ReplyTexts
    after_handoff: AfterHandoffTexts
    continuation: ContinueTexts  # dialogs/continue.yaml: reminders, 「別の端末で続ける」
    steps: dict[str, Step] = field(default_factory=dict)
    step_sources: dict[str, Source] = field(default_factory=dict)
    faq_sources: dict[str, Source] = field(default_factory=dict)
    raw_sources: list[tuple[Any, Source]] = field(default_factory=list)
    common_source: Source | None = None
    field_steps_near: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)  # see options.field_steps
    synonyms: list[list[str]] = field(default_factory=list)
    intents: Intents | None = None  # dialogs/intents.yaml (none: only buttons and the commands' exact words)
    out_of_scope: OutOfScope | None = None  # faq/out_of_scope.yaml
    intents_source: Source | None = None
    documents: DocumentTexts | None = None  # dialogs/documents.yaml (none: files are not kept)
    documents_source: Source | None = None
    out_of_scope_source: Source | None = None
    language: str = "ja"  # the language of these texts; the others are in ``translations``
    translations: dict[str, Content] = field(default_factory=dict, repr=False)  # by language (bot/content/languages.py)
    languages: LanguageSet | None = None  # dialogs/languages.yaml (none: Japanese only)
    untranslated: list[Missing] = field(default_factory=list, repr=False)  # a translation's texts left in 日本語

    def in_language(self, language: str) -> Content:
        """These texts in ``language`` (a text not translated is in 日本語); the Japanese ones for an unknown language."""
        return self.translations.get(language, self)

    def step(self, ref: str) -> Step:
        return self.steps[ref]

    def faq_entry(self, entry_id: str) -> FaqEntry | None:
        return next((entry for entry in self.faq if entry.id == entry_id), None)


def load_content(root: Path) -> Content:
    """Load and cross-check the content under ``root``; raise :class:`ContentInvalid` on any problem."""
    from bot.content.checks import cross_check  # checks reads what this module defines: imported once loading starts
    from bot.content.languages import load_translations

    problems: list[Problem] = []
    content = _load_files(root, problems)
    if content is not None and not problems:
        problems += cross_check(content)
    if content is not None and not problems:
        problems += load_translations(root, content, lambda read, found: _load_files(root, found, read))
    if problems or content is None:
        raise ContentInvalid(problems)
    return content


def _load_files(root: Path, problems: list[Problem], read: Reader = load_yaml) -> Content | None:
    """``read`` reads one file (a language's reader puts its translation on it: bot/content/languages.py)."""
    dialogs_dir, faq_dir = root / "dialogs", root / "faq"
    for folder in (dialogs_dir, faq_dir):
        if not folder.is_dir():
            problems.append(Problem(folder, 0, "folder is missing"))
    if problems:
        return None
    raw: list[tuple[Any, Source]] = []
    common = _load_model(dialogs_dir / COMMON_FILE, Common, problems, raw, read)
    privacy = _load_model(dialogs_dir / PRIVACY_FILE, PrivacyNotice, problems, raw, read)
    consultation = _load_model(dialogs_dir / CONSULTATION_FILE, ConsultationTexts, problems, raw, read)
    submission = _load_model(dialogs_dir / SUBMISSION_FILE, SubmissionTexts, problems, raw, read)
    replies = _load_model(dialogs_dir / REPLIES_FILE, ReplyTexts, problems, raw, read)
    after_handoff = _load_model(dialogs_dir / AFTER_HANDOFF_FILE, AfterHandoffTexts, problems, raw, read)
    continuation = _load_model(dialogs_dir / CONTINUE_FILE, ContinueTexts, problems, raw, read)
    facts = _load_model(faq_dir / FACTS_FILE, Facts, problems, raw, read)
    dialogs: dict[str, Dialog] = {}
    dialog_sources: dict[str, Source] = {}
    intents, intents_source = _optional(dialogs_dir / INTENTS_FILE, Intents, problems, raw, read)
    documents, documents_source = _optional(dialogs_dir / DOCUMENTS_FILE, DocumentTexts, problems, raw, read)
    languages, _ = _optional(dialogs_dir / LANGUAGES_FILE, LanguageSet, problems, raw, read)
    for path in sorted(dialogs_dir.glob("*.yaml")):
        if path.name in SPECIAL_DIALOG_FILES:
            continue
        dialog = _load_model(path, Dialog, problems, raw, read)
        if dialog is not None:
            dialogs[path.stem] = dialog
            dialog_sources[path.stem] = raw[-1][1]
    faq: list[FaqEntry] = []
    faq_sources: dict[str, Source] = {}
    synonyms = _load_model(faq_dir / SYNONYMS_FILE, Synonyms, problems, raw, read) if (faq_dir / SYNONYMS_FILE).is_file() else None
    if synonyms is not None:
        problems += _words_in_two_groups(synonyms, raw[-1][1])
    out_of_scope, out_of_scope_source = _optional(faq_dir / OUT_OF_SCOPE_FILE, OutOfScope, problems, raw, read)
    for path in sorted(faq_dir.glob("*.yaml")):
        if path.name in NOT_ENTRY_FILES:
            continue
        faq_file = _load_model(path, FaqFile, problems, raw, read)
        if faq_file is None:
            continue
        for index, entry in enumerate(faq_file.entries):
            source = raw[-1][1].at("entries", index)
            if entry.id in faq_sources:
                problems.append(source.at("id").problem(f"FAQ id '{entry.id}' is already used in {faq_sources[entry.id].file.name}"))
                continue
            faq.append(entry)
            faq_sources[entry.id] = source
    if (common is None or privacy is None or facts is None or consultation is None or submission is None or replies is None
            or continuation is None):
        return None
    if after_handoff is None:
        return None
    content = Content(
        root, common, privacy, facts, dialogs, faq, consultation, submission, replies, after_handoff, continuation,
        faq_sources=faq_sources,
        raw_sources=raw,
    )
    content.synonyms = synonyms.synonyms if synonyms else []
    content.intents, content.intents_source = intents, intents_source
    content.documents, content.documents_source = documents, documents_source
    content.languages = languages
    content.out_of_scope, content.out_of_scope_source = out_of_scope, out_of_scope_source
    content.common_source = next(source for _, source in raw if source.file.name == COMMON_FILE)
    _index_steps(content, dialog_sources, problems)
    return content


def _load_model(
    path: Path, model: type[M], problems: list[Problem], raw: list[tuple[Any, Source]], read: Reader = load_yaml
) -> M | None:
    if not path.is_file():
        problems.append(Problem(path, 0, "file is missing"))
        return None
    try:
        data, lines = read(path)
    except YamlSyntaxError as error:
        problems.append(Problem(path, error.line, error.reason))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(path, 1, "the file is not UTF-8 text"))
        return None
    source = Source(path, lines)
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "the file must be a mapping of keys to values"))
        return None
    try:
        loaded = model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            problems.append(source.at(*detail["loc"]).problem(_explain(detail)))
        return None
    raw.append((data, source))
    return loaded


def _optional(
    path: Path, model: type[M], problems: list[Problem], raw: list[tuple[Any, Source]], read: Reader = load_yaml
) -> tuple[M | None, Source | None]:
    """A file that may be left out; when it is there, it is checked like the others."""
    if not path.is_file():
        return None, None
    loaded = _load_model(path, model, problems, raw, read)
    return loaded, raw[-1][1] if loaded is not None else None


def _words_in_two_groups(synonyms: Synonyms, source: Source) -> list[Problem]:
    """A word may be read as one group's first word only; each repeat is reported on its own line."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, group in enumerate(synonyms.synonyms):
        for position, word in enumerate(group):
            first = seen.setdefault(word, index)
            if first != index:
                reason = f"'{word}' is in two synonym groups ({first + 1} and {index + 1}); keep it in one"
                problems.append(source.at("synonyms", index, position).problem(reason))
    return problems


def _explain(detail: Any) -> str:
    location = detail["loc"]
    # In a list of steps pydantic puts the step's type after its index: ('steps', 3, 'text', 'next').
    where = ".".join(
        str(part)
        for index, part in enumerate(location)
        if not (index > 0 and isinstance(location[index - 1], int) and _is_union_tag(part))
    )
    message = detail["msg"]
    if detail["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against the README)"
    elif detail["type"] == "missing":
        message = "required key is missing"
    return f"{where}: {message}" if where else message


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and part in {
        "say", "choice", "text", "report", "summary", "edit_menu", "consent", "submit", "faq_list"
    }


def _index_steps(content: Content, sources: dict[str, Source], problems: list[Problem]) -> None:
    """Give every step a global ref ``dialog.step`` and make every reference absolute."""
    for dialog_id, dialog in content.dialogs.items():
        for index, step in enumerate(dialog.steps):
            ref = f"{dialog_id}.{step.id}"
            source = sources[dialog_id].at("steps", index)
            if ref in content.steps:
                problems.append(source.at("id").problem(f"step id '{step.id}' is used twice in this file"))
                continue
            content.steps[ref] = step
            content.step_sources[ref] = source
            _absolutise(step, dialog_id)


def absolute(ref: str, dialog_id: str) -> str:
    return ref if "." in ref else f"{dialog_id}.{ref}"


def _absolutise(step: Step, dialog_id: str) -> None:
    if isinstance(step, (SayStep, TextStep, ReportStep, SubmitStep)):
        step.next = absolute(step.next, dialog_id)
    if isinstance(step, SubmitStep):
        step.on_invalid = absolute(step.on_invalid, dialog_id)
    if isinstance(step, ChoiceStep):
        if step.next:
            step.next = absolute(step.next, dialog_id)
        step.branches = {value: absolute(target, dialog_id) for value, target in step.branches.items()}
    if isinstance(step, EditMenuStep):
        step.summary = absolute(step.summary, dialog_id)
    if isinstance(step, (ChoiceStep, SummaryStep, ConsentStep)):
        for option in step.options:
            if option.next:
                option.next = absolute(option.next, dialog_id)
