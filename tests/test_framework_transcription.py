"""Checks the transcription of the 2018 HMI Probation framework and of the
North West (July 2020) published figures against the report itself.

Standard library only (json, re, pathlib) apart from pytest.
"""

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FRAMEWORK_PATH = REPO / "resources" / "frameworks" / "hmip-probation-2018.json"
REFERENCE_PATH = REPO / "resources" / "reference" / "north-west-2020.json"
SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"
# A copy of the report (Open Government Licence) so the wording checks run on any checkout.
SEED_COPY = Path(__file__).resolve().parent / "data" / "seed-north-west-2020.txt"

EXPECTED_D1_KQS = {"1.1": 3, "1.2": 5, "1.3": 3, "1.4": 4}
EXPECTED_PROMPTS = {
    "2.1.1": 3,
    "2.1.2": 3,
    "2.1.3": 5,
    "2.2.1": 5,
    "2.2.2": 3,
    "2.2.3": 4,
    "2.3.1": 7,
    "2.3.2": 6,
    "2.3.3": 5,
    "2.4.1": 4,
    "2.4.2": 4,
    "2.4.3": 4,
    "3.1.1": 9,
    "3.1.2": 3,
    "3.2.1": 6,
    "3.2.2": 4,
    "3.2.3": 3,
}
EXPECTED_STANDARDS = {
    "1.1": "Leadership",
    "1.2": "Staff",
    "1.3": "Services",
    "1.4": "Information and facilities",
    "2.1": "Assessment",
    "2.2": "Planning",
    "2.3": "Implementation and delivery",
    "2.4": "Reviewing",
    "3.1": "Court reports and case allocation",
    "3.2": "Statutory victim work",
}
BANDS = ["Inadequate", "Requires improvement", "Good", "Outstanding"]

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_FOOTNOTE_RE = re.compile(r"\s*(?:\^\{[\d ]+\}|[" + SUPERSCRIPTS + r"]+)")


def strip_footnotes(text):
    return _FOOTNOTE_RE.sub("", text)


def normalise(text):
    return re.sub(r"\s+", " ", strip_footnotes(text)).strip()


# --------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def framework():
    with FRAMEWORK_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def reference():
    with REFERENCE_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def seed_lines():
    text = SEED_COPY.read_text(encoding="utf-8")
    assert "North West Division" in text and "Annexe 4: Inspection data" in text
    return text.split("\n")


def test_report_copy_is_the_shared_seed():
    if not SEED_DIR.is_dir():
        pytest.skip(f"seed folder {SEED_DIR} is absent; the copy in tests/data is used")
    originals = [p.read_text(encoding="utf-8") for p in sorted(SEED_DIR.glob("*.txt"))]
    assert SEED_COPY.read_text(encoding="utf-8") in originals


def standards(framework):
    return [s for d in framework["domains"] for s in d["standards"]]


def standard(framework, sid):
    return next(s for s in standards(framework) if s["id"] == sid)


def case_key_questions(framework):
    """(standard, key question) for domains 2 and 3."""
    return [
        (s, kq)
        for d in framework["domains"]
        if d["id"] in ("2", "3")
        for s in d["standards"]
        for kq in s["key_questions"]
    ]


def all_prompts(framework):
    return [p for _, kq in case_key_questions(framework) for p in kq["prompts"]]


def cells(line):
    return [normalise(c) for c in line.split("\t")]


def section(lines, start_heading, end_heading=None):
    """Lines from the line equal to start_heading up to end_heading."""
    starts = [i for i, line in enumerate(lines) if line.strip() == start_heading]
    assert starts, f"heading {start_heading!r} not in the report"
    start = starts[-1]
    end = len(lines)
    if end_heading is not None:
        ends = [i for i, line in enumerate(lines) if i > start and line.strip() == end_heading]
        assert ends, f"heading {end_heading!r} not after {start_heading!r}"
        end = ends[0]
    return lines[start:end]


def percent(cell):
    if cell in ("", "No comparable data available"):
        return None
    assert cell.endswith("%"), cell
    return int(cell[:-1])


# --------------------------------------------------------------------------
# structure


def test_header(framework):
    assert framework["format"] == 1
    assert framework["id"] == "hmip-probation-2018"
    assert framework["version"] == "2018.2"
    assert [d["id"] for d in framework["domains"]] == ["1", "2", "3"]
    assert [d["assessed"] for d in framework["domains"]] == ["inspection", "case", "case"]
    assert [d["title"] for d in framework["domains"]] == [
        "Organisational delivery",
        "Case supervision",
        "NPS-specific work",
    ]


def test_ten_standards_with_titles(framework):
    got = {s["id"]: s["title"] for s in standards(framework)}
    assert got == EXPECTED_STANDARDS
    assert len(standards(framework)) == 10


def test_domain1_key_questions(framework):
    d1 = framework["domains"][0]
    counts = {s["id"]: len(s["key_questions"]) for s in d1["standards"]}
    assert counts == EXPECTED_D1_KQS
    assert sum(counts.values()) == 15
    for s in d1["standards"]:
        assert s["sample"] is None
        for kq in s["key_questions"]:
            assert "prompts" not in kq


def test_case_key_questions_and_prompts(framework):
    kqs = case_key_questions(framework)
    assert len(kqs) == 17
    counts = {kq["id"]: len(kq["prompts"]) for _, kq in kqs}
    assert counts == EXPECTED_PROMPTS
    assert len(all_prompts(framework)) == 78


def test_samples(framework):
    ids = [s["id"] for s in framework["samples"]]
    assert ids == ["case-supervision", "court-reports", "victim"]
    expected = {
        "2.1": "case-supervision",
        "2.2": "case-supervision",
        "2.3": "case-supervision",
        "2.4": "case-supervision",
        "3.1": "court-reports",
        "3.2": "victim",
    }
    for sid, sample in expected.items():
        assert standard(framework, sid)["sample"] == sample
    for sample in framework["samples"]:
        attr_ids = [a["id"] for a in sample["attributes"]]
        assert len(attr_ids) == len(set(attr_ids))
        for a in sample["attributes"]:
            assert a["type"] in ("choice", "bool", "text", "date")
            assert a["recorded_by"] in ("provider", "inspector")
            assert ("choices" in a) == (a["type"] == "choice")


def test_ids_unique_and_well_formed(framework):
    seen = set()

    def add(i):
        assert i not in seen, f"duplicate id {i}"
        seen.add(i)

    for d in framework["domains"]:
        add("domain:" + d["id"])
        for n, s in enumerate(d["standards"], 1):
            assert s["id"] == f"{d['id']}.{n}"
            add(s["id"])
            for k, kq in enumerate(s["key_questions"], 1):
                assert kq["id"] == f"{s['id']}.{k}"
                assert re.fullmatch(r"\d\.\d\.\d+", kq["id"])
                add(kq["id"])
                for p, pr in enumerate(kq.get("prompts", []), 1):
                    assert pr["id"].startswith(kq["id"] + ".")
                    assert pr["id"] == f"{kq['id']}.{p}"
                    assert re.fullmatch(r"\d\.\d\.\d+\.\d+", pr["id"])
                    add(pr["id"])


def test_texts_are_clean(framework):
    items = [(s["id"], s.get("statement", "")) for s in standards(framework)]
    for s in standards(framework):
        for kq in s["key_questions"]:
            items.append((kq["id"], kq["text"]))
            for key in ("guidance", "rule_note"):
                if key in kq:
                    items.append((kq["id"] + ":" + key, kq[key]))
            for p in kq.get("prompts", []):
                items.append((p["id"], p["text"]))
                if "rule_note" in p:
                    items.append((p["id"] + ":rule_note", p["rule_note"]))
    for ident, text in items:
        assert text, ident
        assert text == text.strip(), ident
        assert "\t" not in text and "\n" not in text, ident
        assert not any(c in SUPERSCRIPTS for c in text), ident
        assert "^{" not in text, ident
        assert "  " not in text, ident


# --------------------------------------------------------------------------
# applicability rules


def _check_rule(rule, attrs):
    assert isinstance(rule, dict) and len(rule) >= 1
    if "always" in rule:
        assert rule == {"always": True}
    elif "all" in rule or "any" in rule:
        (key,) = rule.keys()
        assert isinstance(rule[key], list) and rule[key]
        for r in rule[key]:
            _check_rule(r, attrs)
    elif "not" in rule:
        assert set(rule) == {"not"}
        _check_rule(rule["not"], attrs)
    else:
        assert set(rule) in ({"attribute", "equals"}, {"attribute", "in"}), rule
        attr = attrs.get(rule["attribute"])
        assert attr is not None, f"unknown attribute {rule['attribute']}"
        values = [rule["equals"]] if "equals" in rule else rule["in"]
        for v in values:
            if attr["type"] == "bool":
                assert isinstance(v, bool)
            elif attr["type"] == "choice":
                assert v in attr["choices"], (rule, v)


def test_rules_are_well_formed(framework):
    samples = {s["id"]: {a["id"]: a for a in s["attributes"]} for s in framework["samples"]}
    for s, kq in case_key_questions(framework):
        attrs = samples[s["sample"]]
        for item in [kq] + kq["prompts"]:
            if "applies" in item:
                _check_rule(item["applies"], attrs)
            if "inspector_may_mark_na" in item:
                assert item["inspector_may_mark_na"] is True
            if "rule_note" in item:
                assert "applies" in item, item["id"]


def _item(framework, ident):
    for s in standards(framework):
        for kq in s["key_questions"]:
            if kq["id"] == ident:
                return kq
            for p in kq.get("prompts", []):
                if p["id"] == ident:
                    return p
    raise KeyError(ident)


def test_specific_rules(framework):
    rosh = {"attribute": "risk_of_harm_factors", "equals": True}
    for kq_id in ("2.1.3", "2.2.3", "2.3.3", "2.4.3"):
        kq = _item(framework, kq_id)
        assert "keeping other people safe" in kq["text"] or "safety of other people" in kq["text"]
        assert kq["applies"] == rosh
        assert "risk of serious harm to be low" in kq["rule_note"]
    da = _item(framework, "2.1.3.4")
    assert da["text"] == "Were domestic abuse checks undertaken?"
    assert da["applies"] == {"always": True}
    assert da["rule_note"] == "Expected in all cases."
    cs = _item(framework, "2.1.3.5")
    assert cs["applies"] == {"attribute": "children", "equals": True}
    post = [p for p in all_prompts(framework) if p["text"].startswith("Post-custody cases only:")]
    assert len(post) == 1
    assert post[0]["applies"] == {"attribute": "disposal", "equals": "post-release licence"}
    assert _item(framework, "3.1.2")["applies"] == {
        "all": [
            {"attribute": "sentenced", "equals": True},
            {"attribute": "allocated_to", "in": ["NPS", "CRC"]},
        ]
    }
    assert _item(framework, "3.2.1")["applies"] == {"attribute": "stage", "equals": "post-sentence"}
    for kq_id in ("3.2.2", "3.2.3"):
        assert _item(framework, kq_id)["applies"] == {"attribute": "stage", "equals": "pre-release"}


CONDITIONAL_WORDING = re.compile(
    r"\b(in cases where it (is|was) needed|where necessary|wherever possible"
    r"|where appropriate|when appropriate|as appropriate)\b",
    re.IGNORECASE,
)


# "where appropriate" qualifies only a side clause of these prompts; their main part always applies.
PARTLY_CONDITIONAL = {"2.1.3.3", "2.4.3.3"}


def test_conditional_prompts_may_be_marked_na(framework):
    for p in all_prompts(framework):
        if p["id"] in PARTLY_CONDITIONAL:
            assert "inspector_may_mark_na" not in p, p["id"]
        elif CONDITIONAL_WORDING.search(p["text"]):
            assert p.get("inspector_may_mark_na") is True, p["id"]
    marked = [p["id"] for p in all_prompts(framework) if p.get("inspector_may_mark_na")]
    assert len(marked) >= 10


def test_guidance_is_quoted_from_report(framework, seed_lines):
    report = normalise(" ".join(seed_lines))
    for _, kq in case_key_questions(framework):
        if "guidance" in kq:
            for sentence in re.split(r"(?<=\.) ", kq["guidance"]):
                assert normalise(sentence) in report, (kq["id"], sentence)
        assert "comparable data" not in kq.get("guidance", "").lower()


# --------------------------------------------------------------------------
# wording against the report


def test_domain1_wording_matches_report(framework, seed_lines):
    body = section(seed_lines, "1. Organisational delivery", "2. Case supervision")
    body_lines = [normalise(line) for line in body]
    first_cells = [cells(line)[0] for line in body]
    last = -1
    for s in framework["domains"][0]["standards"]:
        assert s["statement"] in first_cells, s["id"]
        for kq in s["key_questions"]:
            assert kq["text"] in body_lines, kq["id"]
            pos = body_lines.index(kq["text"])
            assert pos > last, f"{kq['id']} out of report order"
            last = pos


def test_statements_match_report(framework, seed_lines):
    first_cells = [cells(line)[0] for line in seed_lines]
    for s in standards(framework):
        # the statement line follows the "n.n. Title" heading row
        heading = f"{s['id']}. {s['title']}"
        assert heading in first_cells, heading
        assert first_cells[first_cells.index(heading) + 1] == s["statement"], s["id"]


def test_ratings_page_titles(framework, seed_lines):
    page = [line.strip() for line in section(seed_lines, "Ratings", "Executive summary")]
    for s in standards(framework):
        assert f"{s['id']} {s['title']}" in page


def _annexe4_rows(seed_lines):
    rows = []
    for line in section(seed_lines, "Annexe 4: Inspection data³⁸"):
        if "\t" in line:
            rows.append(cells(line))
    return rows


def test_case_wording_matches_annexe4_in_order(framework, seed_lines):
    """Every key question and prompt of domains 2 and 3 is a whole first cell
    of an Annexe 4 table row, in report order, and nothing is left out."""
    rows = [
        r for r in _annexe4_rows(seed_lines) if r[0] and not re.fullmatch(r"\d\.\d\.? .*", r[0])
    ]
    expected = []
    for _, kq in case_key_questions(framework):
        expected.append(kq["text"])
        expected.extend(p["text"] for p in kq["prompts"])
    assert [r[0] for r in rows] == expected


def test_every_case_text_occurs_in_report(framework, seed_lines):
    report = normalise(" ".join(seed_lines))
    for _, kq in case_key_questions(framework):
        assert normalise(kq["text"]) in report, kq["id"]
        for p in kq["prompts"]:
            assert normalise(p["text"]) in report, p["id"]
    for s in framework["domains"][0]["standards"]:
        for kq in s["key_questions"]:
            assert normalise(kq["text"]) in report, kq["id"]


def test_footnote_rule_notes_match_report(framework, seed_lines):
    footnotes = [normalise(line) for line in seed_lines if line[:1] in SUPERSCRIPTS]
    assert _item(framework, "2.1.3.4")["rule_note"] in footnotes
    assert _item(framework, "2.1.3.5")["rule_note"] in footnotes


# --------------------------------------------------------------------------
# reference figures


def test_reference_covers_framework(framework, reference):
    prompt_ids = {p["id"] for p in all_prompts(framework)}
    kq_ids = {kq["id"] for _, kq in case_key_questions(framework)}
    assert set(reference["prompts"]) == prompt_ids
    assert set(reference["key_questions"]) == kq_ids
    assert set(reference["standards"]) == set(EXPECTED_STANDARDS)
    for table in (reference["prompts"], reference["key_questions"]):
        for ident, fig in table.items():
            assert set(fig) == {"previous", "current"}, ident
            assert isinstance(fig["current"], int), ident
            assert fig["previous"] is None or isinstance(fig["previous"], int), ident


def test_reference_prompt_figures_match_annexe4(framework, reference, seed_lines):
    rows = {r[0]: r[1:] for r in _annexe4_rows(seed_lines)}
    for _, kq in case_key_questions(framework):
        for p in kq["prompts"]:
            figs = [percent(c) for c in rows[p["text"]]]
            if len(figs) == 1:  # 3.2: current inspection only
                figs = [None] + figs
            expected = {"previous": figs[0], "current": figs[1]}
            assert reference["prompts"][p["id"]] == expected, p["id"]


def _band(pct):
    if pct < 50:
        return "Inadequate"
    if pct < 65:
        return "Requires improvement"
    if pct < 80:
        return "Good"
    return "Outstanding"


def test_reference_ratings(framework, reference, seed_lines):
    page = [
        line.strip() for line in section(seed_lines, "Ratings", "Executive summary") if line.strip()
    ]
    for sid, title in EXPECTED_STANDARDS.items():
        rating = page[page.index(f"{sid} {title}") + 1]
        assert reference["standards"][sid]["current"] == rating, sid
    for s in standards(framework):
        ref = reference["standards"][s["id"]]
        if s["id"].startswith("1."):
            assert ref["current_provisional"] is None
            continue
        lowest = min(reference["key_questions"][kq["id"]]["current"] for kq in s["key_questions"])
        assert ref["current_provisional"] == _band(lowest), s["id"]
    score = sum(BANDS.index(v["current"]) for v in reference["standards"].values())
    assert score == reference["overall"]["score"] == 16
    assert reference["overall"]["rating"] == "Good"
    # panel decisions recorded in the report
    assert reference["standards"]["2.4"]["current_provisional"] == "Requires improvement"
    assert reference["standards"]["2.4"]["current"] == "Good"
    assert reference["standards"]["3.2"]["current_provisional"] == "Requires improvement"
    assert reference["standards"]["3.2"]["current"] == "Good"


def test_reference_samples(reference):
    assert reference["samples"] == {
        "case-supervision": 119,
        "court-reports": 115,
        "court-reports-sentenced-and-allocated": 106,
        "victim": 27,
        "victim-post-sentence": 15,
        "victim-pre-release": 12,
    }
