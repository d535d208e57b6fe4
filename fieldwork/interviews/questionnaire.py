"""Interview questionnaires as data: the responsible-officer and the service-user interview.

A framework's questionnaires live beside it in ``resources/questionnaires/``, one file per
questionnaire named ``FRAMEWORK-ID.QUESTIONNAIRE-ID.json``; each is validated against
``resources/schemas/questionnaire.schema.json`` and then checked for what a schema cannot
say (unique ids, standards the framework has, figures that fit their item). Every error
names the file, the place and the problem.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from fieldwork.errors import FrameworkError
from fieldwork.framework import Framework
from fieldwork.framework import _place as place_of  # one way to name a place in JSON
from fieldwork.paths import resources_dir, schema_path

OFFICER = "responsible-officer"
SERVICE_USER = "service-user"
KINDS = (OFFICER, SERVICE_USER)


class AnswerType(StrEnum):
    AGREEMENT = "agreement"  # agree / disagree / not applicable (with a reason)
    YES_NO = "yes-no"
    CHOICE = "choice"
    TEXT = "text"


#: The stored value of the answers that are not a choice or free text.
AGREE, DISAGREE, YES, NO, NOT_APPLICABLE = "agree", "disagree", "yes", "no", "na"
POSITIVE = frozenset({AGREE, YES})
NEGATIVE = frozenset({DISAGREE, NO})


def answer_label(value: str | None) -> str:
    """How a person reads a stored answer."""
    labels = {
        AGREE: "Agree",
        DISAGREE: "Disagree",
        YES: "Yes",
        NO: "No",
        NOT_APPLICABLE: "Not applicable",
    }
    return "" if value is None else labels.get(value, value)


@dataclass(frozen=True)
class InterviewAttribute:
    id: str
    label: str
    choices: tuple[str, ...] = ()
    required: bool = False
    breakdown: bool = False
    case_attribute: str = ""


@dataclass(frozen=True)
class FigureSpec:
    """A figure the report publishes from one item: its label, the interviews it counts
    (a grade), what it counts (agree/yes, or with ``inverted`` disagree/no, or a choice)
    and the previous and published values."""

    id: str
    item_id: str
    label: str
    standard: str
    table: str = ""
    grade: str = ""
    choice: str = ""
    inverted: bool = False
    previous: float | None = None
    previous_sample_size: int | None = None
    published: int | None = None
    quote: str = ""


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    answer: AnswerType
    standards: tuple[str, ...]
    label: str
    choices: tuple[str, ...] = ()
    not_applicable: bool = False
    required: bool = True
    key_question: str = ""
    quote: str = ""
    figures: tuple[FigureSpec, ...] = ()

    @property
    def counted(self) -> bool:
        """Whether the item has a share to count (free text has none)."""
        return self.answer is not AnswerType.TEXT

    def values(self) -> tuple[str, ...]:
        """The stored values this item accepts (free text: any)."""
        na = (NOT_APPLICABLE,) if self.not_applicable else ()
        if self.answer is AnswerType.AGREEMENT:
            return (AGREE, DISAGREE, *na)
        if self.answer is AnswerType.YES_NO:
            return (YES, NO, *na)
        return (*self.choices, *na)


@dataclass(frozen=True)
class Questionnaire:
    id: str
    framework_id: str
    version: str
    title: str
    interviewee: str
    source: str
    attributes: tuple[InterviewAttribute, ...]
    items: tuple[Item, ...]
    path: str = ""

    def item(self, item_id: str) -> Item:
        return self.items[self.position(item_id)]

    def position(self, item_id: str) -> int:
        """Where the item is in ``items`` (KeyError if the questionnaire has none)."""
        return self._positions[item_id]

    @cached_property
    def _positions(self) -> dict[str, int]:
        # Built once per questionnaire: an interview answer looks its item up by id.
        return {item.id: n for n, item in enumerate(self.items)}

    def attribute(self, attribute_id: str) -> InterviewAttribute:
        for attribute in self.attributes:
            if attribute.id == attribute_id:
                return attribute
        raise KeyError(attribute_id)

    @property
    def figures(self) -> tuple[FigureSpec, ...]:
        return tuple(f for item in self.items for f in item.figures)


def questionnaires_dir() -> Path:
    return resources_dir() / "questionnaires"


@cache
def _validator() -> Any:
    import jsonschema  # loaded when a questionnaire is first read

    schema = json.loads(schema_path("questionnaire").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def load_questionnaire(path: str | Path, framework: Framework | None = None) -> Questionnaire:
    """Read, validate and build a questionnaire (checked against ``framework`` if given)."""
    path = Path(path)
    source = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FrameworkError("questionnaire file not found", file=source) from None
    except json.JSONDecodeError as exc:
        raise FrameworkError(
            f"invalid JSON: {exc.msg}", file=source, place=f"line {exc.lineno}, column {exc.colno}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"cannot read the file ({exc})", file=source) from None
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        # The deepest error is the most specific (an if/then failure reports its parent).
        best = max(errors, key=lambda e: len(e.absolute_path))
        raise FrameworkError(best.message, file=source, place=place_of(best.absolute_path))
    return _build(data, source, framework)


def _build(data: dict[str, Any], source: str, framework: Framework | None) -> Questionnaire:
    def fail(problem: str, place: str) -> FrameworkError:
        return FrameworkError(problem, file=source, place=place)

    attributes = tuple(
        InterviewAttribute(
            a["id"],
            a["label"],
            tuple(a.get("choices", ())),
            a.get("required", False),
            a.get("breakdown", False),
            a.get("case_attribute", ""),
        )
        for a in data["attributes"]
    )
    grades = next((a.choices for a in attributes if a.id == "grade"), ())
    standards = {s.id for s in framework.standards} if framework else None
    if framework is not None and data["framework"] != framework.id:
        raise fail(f"belongs to framework {data['framework']!r}, not {framework.id!r}", "framework")
    seen: set[str] = set()
    figure_ids: set[str] = set()
    items = []
    for n, raw in enumerate(data["items"]):
        place = f"items[{n}] ({raw['id']})"
        if raw["id"] in seen:
            raise fail(f"item id {raw['id']!r} is used twice", place)
        seen.add(raw["id"])
        answer = AnswerType(raw["answer"])
        for standard in raw["standards"]:
            if standards is not None and standard not in standards:
                raise fail(f"standard {standard!r} is not in the framework", place)
        choices = tuple(raw.get("choices", ()))
        figures = []
        for m, spec in enumerate(raw.get("figures", ())):
            where = f"{place}.figures[{m}]"
            if spec["id"] in figure_ids:
                raise fail(f"figure id {spec['id']!r} is used twice", where)
            figure_ids.add(spec["id"])
            if answer is AnswerType.TEXT:
                raise fail("a free-text item has no figure", where)
            if spec.get("grade") and spec["grade"] not in grades:
                raise fail(f"grade {spec['grade']!r} is not a grade of this questionnaire", where)
            if spec.get("choice") and spec["choice"] not in choices:
                raise fail(f"{spec['choice']!r} is not a choice of this item", where)
            if standards is not None and spec["standard"] not in standards:
                raise fail(f"standard {spec['standard']!r} is not in the framework", where)
            figures.append(
                FigureSpec(
                    spec["id"],
                    raw["id"],
                    spec["label"],
                    spec["standard"],
                    spec.get("table", ""),
                    spec.get("grade", ""),
                    spec.get("choice", ""),
                    spec.get("inverted", False),
                    spec.get("previous"),
                    spec.get("previous_sample_size"),
                    spec.get("published"),
                    spec.get("quote", ""),
                )
            )
        items.append(
            Item(
                raw["id"],
                raw["text"],
                answer,
                tuple(raw["standards"]),
                raw["label"],
                choices,
                raw.get("not_applicable", answer is AnswerType.AGREEMENT),
                raw.get("required", answer is not AnswerType.TEXT),
                raw.get("key_question", ""),
                raw.get("quote", ""),
                tuple(figures),
            )
        )
    return Questionnaire(
        data["id"],
        data["framework"],
        data["version"],
        data["title"],
        data["interviewee"],
        data.get("source", ""),
        attributes,
        tuple(items),
        source,
    )


_loaded: dict[tuple[Path, float, str], Questionnaire] = {}


def _cached(path: Path, mtime: float, framework: Framework | None) -> Questionnaire:
    # Keyed by the framework's content hash, not the framework: hashing a frozen Framework
    # walks every prompt, and this is asked on every interview answer.
    key = (path, mtime, framework.content_hash if framework is not None else "")
    if key not in _loaded:
        _loaded[key] = load_questionnaire(path, framework)
    return _loaded[key]


def questionnaire_path(framework_id: str, kind: str, directory: Path | None = None) -> Path:
    return (directory or questionnaires_dir()) / f"{framework_id}.{kind}.json"


def questionnaires_for(
    framework: Framework, directory: Path | None = None
) -> dict[str, Questionnaire]:
    """The questionnaires of a framework, by kind; a framework may have none."""
    found = {}
    for kind in KINDS:
        path = questionnaire_path(framework.id, kind, directory)
        if path.exists():
            found[kind] = _cached(path, path.stat().st_mtime, framework)
    return found


def questionnaire_for(framework: Framework, kind: str) -> Questionnaire:
    """One questionnaire of a framework; a clear error when it has none of that kind."""
    found = questionnaires_for(framework)
    if kind not in found:
        raise FrameworkError(
            f"framework {framework.id!r} has no {kind} questionnaire",
            file=str(questionnaire_path(framework.id, kind)),
        )
    return found[kind]
