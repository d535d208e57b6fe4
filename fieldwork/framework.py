"""The inspection framework as data: model, loader and applicability rules.

A framework file (``resources/frameworks/*.json``) is validated against
``resources/schemas/framework.schema.json`` and then checked for what a schema
cannot say: unique ids, ids nested under their parents, samples that exist and
rules that name real attributes and values. Every error names the file, the
place in it and the problem.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fieldwork.errors import FrameworkError
from fieldwork.paths import frameworks_dir, schema_path

AttributeValue = str | bool | None
Attributes = Mapping[str, AttributeValue]
AttributeType = Literal["choice", "bool", "text", "date"]


@dataclass(frozen=True)
class Attribute:
    id: str
    label: str
    type: AttributeType
    choices: tuple[str, ...] = ()
    recorded_by: str = "provider"


@dataclass(frozen=True)
class Sample:
    id: str
    title: str
    reference_label: str
    attributes: tuple[Attribute, ...]

    def attribute(self, attribute_id: str) -> Attribute:
        for attribute in self.attributes:
            if attribute.id == attribute_id:
                return attribute
        raise KeyError(attribute_id)


@dataclass(frozen=True, eq=False)
class Rule:
    """Which cases an item applies to, as a tree of the framework file's rule objects."""

    spec: Mapping[str, Any]

    def holds(self, attributes: Attributes) -> bool:
        return _evaluate(self.spec, attributes)

    def attributes_used(self) -> Iterator[tuple[str, list[AttributeValue]]]:
        yield from _attributes_used(self.spec)


ALWAYS = Rule({"always": True})


def _evaluate(spec: Mapping[str, Any], attributes: Attributes) -> bool:
    if "always" in spec:
        return True
    if "all" in spec:
        return all(_evaluate(s, attributes) for s in spec["all"])
    if "any" in spec:
        return any(_evaluate(s, attributes) for s in spec["any"])
    if "not" in spec:
        return not _evaluate(spec["not"], attributes)
    value = attributes.get(spec["attribute"])
    if "equals" in spec:
        return bool(value == spec["equals"])
    return value in spec["in"]


def _attributes_used(spec: Mapping[str, Any]) -> Iterator[tuple[str, list[AttributeValue]]]:
    for key in ("all", "any"):
        for sub in spec.get(key, ()):
            yield from _attributes_used(sub)
    if "not" in spec:
        yield from _attributes_used(spec["not"])
    if "attribute" in spec:
        yield spec["attribute"], [spec["equals"]] if "equals" in spec else list(spec["in"])


@dataclass(frozen=True)
class Prompt:
    id: str
    text: str
    rule: Rule
    inspector_may_mark_na: bool = False
    rule_note: str | None = None
    guidance: str | None = None
    key_question_id: str = ""


@dataclass(frozen=True)
class KeyQuestion:
    id: str
    text: str
    rule: Rule
    prompts: tuple[Prompt, ...] = ()
    inspector_may_mark_na: bool = False
    rule_note: str | None = None
    guidance: str | None = None
    standard_id: str = ""


@dataclass(frozen=True)
class Standard:
    id: str
    title: str
    sample: str | None
    key_questions: tuple[KeyQuestion, ...]
    statement: str | None = None
    domain_id: str = ""


@dataclass(frozen=True)
class Domain:
    id: str
    title: str
    assessed: Literal["inspection", "case"]
    standards: tuple[Standard, ...]


RATINGS = ("Inadequate", "Requires improvement", "Good", "Outstanding")


@dataclass(frozen=True)
class BandSpec:
    """A band of a key question's rounded percentage, from ``lowest`` up to the next band's."""

    label: str
    lowest: int
    rating: str  # one of RATINGS


@dataclass(frozen=True)
class OverallBandSpec:
    """A band of the overall total of the standards' points, ``lowest`` to ``highest``."""

    lowest: int
    highest: int
    rating: str


@dataclass(frozen=True)
class ScoringSpec:
    """The framework file's scoring rules, as data (``fieldwork.scoring.rules`` applies them)."""

    key_question_bands: tuple[BandSpec, ...]
    points: tuple[tuple[str, int], ...]  # (rating, points), in RATINGS order
    overall_bands: tuple[OverallBandSpec, ...]
    discretion_window: int
    significance_level: float
    source: str = ""


@dataclass(frozen=True)
class Framework:
    id: str
    version: str
    title: str
    source: str
    samples: tuple[Sample, ...]
    domains: tuple[Domain, ...]
    scoring: ScoringSpec
    content_hash: str
    text: str = field(repr=False, compare=False)
    path: str = ""

    @property
    def standards(self) -> tuple[Standard, ...]:
        return tuple(s for d in self.domains for s in d.standards)

    def sample(self, sample_id: str) -> Sample:
        for sample in self.samples:
            if sample.id == sample_id:
                return sample
        raise KeyError(sample_id)

    def case_standards(self, sample_id: str) -> tuple[Standard, ...]:
        """The standards judged case by case in a sample, in framework order."""
        return tuple(
            s
            for d in self.domains
            if d.assessed == "case"
            for s in d.standards
            if s.sample == sample_id
        )

    def __post_init__(self) -> None:
        kqs = {kq.id: kq for s in self.standards for kq in s.key_questions}
        object.__setattr__(self, "_key_questions", kqs)
        object.__setattr__(self, "_prompts", {p.id: p for kq in kqs.values() for p in kq.prompts})

    def rule_attributes(self, sample_id: str) -> tuple[str, ...]:
        """The attributes the applicability rules of a sample's items read, sorted."""
        used: set[str] = set()
        for standard in self.case_standards(sample_id):
            for kq in standard.key_questions:
                items: list[KeyQuestion | Prompt] = [kq, *kq.prompts]
                for item in items:
                    used.update(a for a, _ in item.rule.attributes_used())
        return tuple(sorted(used))

    def key_question(self, item_id: str) -> KeyQuestion:
        """The key question with this id; KeyError if there is none."""
        return self._key_questions[item_id]  # type: ignore[attr-defined,no-any-return]

    def prompt(self, item_id: str) -> Prompt:
        """The prompt with this id; KeyError if there is none."""
        return self._prompts[item_id]  # type: ignore[attr-defined,no-any-return]

    def standard(self, standard_id: str) -> Standard:
        for s in self.standards:
            if s.id == standard_id:
                return s
        raise KeyError(standard_id)


def content_hash(data: Any) -> str:
    """SHA-256 of the framework's canonical JSON, independent of layout and key order."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@cache
def _validator() -> Any:
    import jsonschema  # loaded on the store's thread when a framework is first read

    schema = json.loads(schema_path("framework").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _place(path: Any) -> str:
    """A JSON pointer-like location such as ``domains[1].standards[0].key_questions[2]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "top level"


def load_framework(path: str | Path, *, validated_hash: str | None = None) -> Framework:
    """Read, validate and build a framework; raise FrameworkError naming file, place and problem.

    ``validated_hash``: the hash of a framework already validated (a workspace records the
    framework it was made with); a file with that same content needs no schema check again.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError("file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"cannot read the file ({exc})", file=str(path)) from None
    return parse_framework(text, source=str(path), validated_hash=validated_hash)


def parse_framework(
    text: str, *, source: str = "<framework>", validated_hash: str | None = None
) -> Framework:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FrameworkError(
            f"invalid JSON: {exc.msg}", file=source, place=f"line {exc.lineno}, column {exc.colno}"
        ) from None
    if validated_hash is not None and content_hash(data) == validated_hash:
        return _build(data, text, source)
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        # The deepest error is the most specific one for oneOf/if-then failures.
        error = max(errors[:1] + [e for e in errors if e.context], key=lambda e: len(e.path))
        import jsonschema

        best = jsonschema.exceptions.best_match([error]) or error
        raise FrameworkError(best.message, file=source, place=_place(best.absolute_path))
    return _build(data, text, source)


def _build(data: dict[str, Any], text: str, source: str) -> Framework:
    def fail(problem: str, place: str) -> FrameworkError:
        return FrameworkError(problem, file=source, place=place)

    samples = []
    for si, s in enumerate(data["samples"]):
        seen_attributes: set[str] = set()
        attributes = []
        for ai, a in enumerate(s["attributes"]):
            if a["id"] in seen_attributes:
                raise fail(f"duplicate attribute id {a['id']!r}", f"samples[{si}].attributes[{ai}]")
            seen_attributes.add(a["id"])
            attributes.append(
                Attribute(
                    a["id"],
                    a["label"],
                    a["type"],
                    tuple(a.get("choices", ())),
                    a.get("recorded_by", "provider"),
                )
            )
        samples.append(Sample(s["id"], s["title"], s["reference_label"], tuple(attributes)))
    by_sample = {s.id: s for s in samples}
    if len(by_sample) != len(samples):
        raise fail("duplicate sample id", "samples")

    seen: set[str] = set()

    def claim(item_id: str, place: str) -> None:
        if item_id in seen:
            raise fail(f"duplicate id {item_id!r}", place)
        seen.add(item_id)

    def rule_of(spec: dict[str, Any] | None, sample: Sample | None, place: str) -> Rule | None:
        if spec is None:
            return None
        rule = Rule(spec)
        for attribute_id, values in rule.attributes_used():
            if sample is None:
                raise fail("a rule needs the standard to belong to a sample", place)
            try:
                attribute = sample.attribute(attribute_id)
            except KeyError:
                raise fail(
                    f"unknown rule attribute {attribute_id!r} (sample {sample.id!r} has: "
                    f"{', '.join(a.id for a in sample.attributes)})",
                    place,
                ) from None
            for value in values:
                ok = (
                    isinstance(value, bool)
                    if attribute.type == "bool"
                    else value in attribute.choices
                    if attribute.type == "choice"
                    else isinstance(value, str)
                )
                if not ok:
                    raise fail(
                        f"value {value!r} is not possible for attribute {attribute_id!r}", place
                    )
        return rule

    domains = []
    seen_standards: list[str] = []
    for di, d in enumerate(data["domains"]):
        dplace = f"domains[{di}]"
        claim(d["id"], dplace)
        standards = []
        for si, s in enumerate(d["standards"]):
            splace = f"{dplace}.standards[{si}]"
            claim(s["id"], splace)
            if not s["id"].startswith(d["id"] + "."):
                raise fail(f"standard id {s['id']!r} is not under domain {d['id']!r}", splace)
            sample = None
            if s["sample"] is not None:
                sample = by_sample.get(s["sample"])
                if sample is None:
                    raise fail(f"unknown sample {s['sample']!r}", f"{splace}.sample")
            elif d["assessed"] == "case":
                raise fail("a standard judged case by case needs a sample", f"{splace}.sample")
            kqs = []
            for ki, k in enumerate(s["key_questions"]):
                kplace = f"{splace}.key_questions[{ki}]"
                claim(k["id"], kplace)
                if not k["id"].startswith(s["id"] + "."):
                    raise fail(
                        f"key question id {k['id']!r} is not under standard {s['id']!r}", kplace
                    )
                krule = rule_of(k.get("applies"), sample, f"{kplace}.applies") or ALWAYS
                prompts = []
                for pi, p in enumerate(k.get("prompts", ())):
                    pplace = f"{kplace}.prompts[{pi}]"
                    claim(p["id"], pplace)
                    if not p["id"].startswith(k["id"] + "."):
                        raise fail(
                            f"prompt id {p['id']!r} is not under key question {k['id']!r}", pplace
                        )
                    prompts.append(
                        Prompt(
                            id=p["id"],
                            text=p["text"],
                            rule=rule_of(p.get("applies"), sample, f"{pplace}.applies") or krule,
                            inspector_may_mark_na=p.get("inspector_may_mark_na", False),
                            rule_note=p.get("rule_note"),
                            guidance=p.get("guidance"),
                            key_question_id=k["id"],
                        )
                    )
                kqs.append(
                    KeyQuestion(
                        id=k["id"],
                        text=k["text"],
                        rule=krule,
                        prompts=tuple(prompts),
                        inspector_may_mark_na=k.get("inspector_may_mark_na", False),
                        rule_note=k.get("rule_note"),
                        guidance=k.get("guidance"),
                        standard_id=s["id"],
                    )
                )
            standards.append(
                Standard(s["id"], s["title"], s["sample"], tuple(kqs), s.get("statement"), d["id"])
            )
            seen_standards.append(s["id"])
        domains.append(Domain(d["id"], d["title"], d["assessed"], tuple(standards)))

    return Framework(
        scoring=_scoring(data["scoring"], len(seen_standards), fail),
        id=data["id"],
        version=data["version"],
        title=data["title"],
        source=data.get("source", ""),
        samples=tuple(samples),
        domains=tuple(domains),
        content_hash=content_hash(data),
        text=text,
        path=source,
    )


def _scoring(
    data: Mapping[str, Any], standards: int, fail: Callable[[str, str], FrameworkError]
) -> ScoringSpec:
    """The scoring rules, checked for what the schema cannot say: bands that start at 0 and
    rise, ratings that rise with them, and overall bands that cover every possible total."""
    bands = tuple(
        BandSpec(b["label"], b["lowest"], b["rating"]) for b in data["key_question_bands"]
    )
    if bands[0].lowest != 0:
        raise fail("the first band must start at 0%", "scoring.key_question_bands[0].lowest")
    for n in range(1, len(bands)):
        place = f"scoring.key_question_bands[{n}]"
        if bands[n].lowest <= bands[n - 1].lowest:
            raise fail("bands must be listed lowest first, each above the last", place)
        if RATINGS.index(bands[n].rating) < RATINGS.index(bands[n - 1].rating):
            raise fail("a higher band cannot give a lower rating", place)
    points = tuple((rating, int(data["points"][rating])) for rating in RATINGS)
    overall = tuple(
        OverallBandSpec(b["lowest"], b["highest"], b["rating"]) for b in data["overall_bands"]
    )
    expected = 0
    for n, band in enumerate(overall):
        place = f"scoring.overall_bands[{n}]"
        if band.lowest != expected:
            raise fail(f"this band must start at {expected} (the bands must join up)", place)
        if band.highest < band.lowest:
            raise fail("highest is below lowest", place)
        expected = band.highest + 1
    top = max(p for _, p in points) * standards
    if expected - 1 < top:
        raise fail(
            f"the overall bands end at {expected - 1}, but the {standards} standards can score "
            f"up to {top}",
            "scoring.overall_bands",
        )
    return ScoringSpec(
        bands,
        points,
        overall,
        data["discretion_window"],
        float(data["significance_level"]),
        data.get("source", ""),
    )


def available_frameworks(directory: Path | None = None) -> dict[str, Path]:
    """Framework id → file, for every ``*.json`` in the frameworks folder."""
    directory = directory or frameworks_dir()
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            framework_id = json.loads(path.read_text(encoding="utf-8")).get("id")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(framework_id, str):
            found[framework_id] = path
    return found


@cache
def _cached_load(path: Path, mtime: float, validated_hash: str | None) -> Framework:
    return load_framework(path, validated_hash=validated_hash)


def framework_by_id(
    framework_id: str, directory: Path | None = None, *, validated_hash: str | None = None
) -> Framework:
    """Load a bundled framework by id (cached while the file is unchanged)."""
    path = available_frameworks(directory).get(framework_id)
    if path is None:
        raise FrameworkError(
            f"no framework with id {framework_id!r} is installed",
            file=str(directory or frameworks_dir()),
        )
    return _cached_load(path, path.stat().st_mtime, validated_hash)


DEFAULT_FRAMEWORK = "hmip-probation-2018"
