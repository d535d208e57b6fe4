"""How each sample is drawn, as data: its strata, its eligibility date, its sub-samples.

The framework file says what a case of each sample records; a sampling plan says
how the inspectorate draws that sample (Annexe 2 of the report): which attributes
form the strata whose ratios must match the eligible population, which date the
eligibility window filters on, which columns a provider's export must hold, where
a case is worked (for allocation) and which sub-samples the report gives a margin
of error for. Plans are keyed by framework id; a sample with no plan is drawn as a
simple random sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fieldwork.errors import FrameworkError
from fieldwork.framework import AttributeValue, Framework, Sample

#: Sampling plans by framework id, then sample id. Plain data: edit here, not in the code.
PLANS: Mapping[str, Mapping[str, Mapping[str, Any]]] = {
    "hmip-probation-2018": {
        "case-supervision": {
            # Annexe 2: "the ratios in relation to gender, type of disposal and risk of
            # serious harm level matched those in the eligible population".
            "strata": ["gender", "disposal", "rosh"],
            "date": "sentence_date",
            "required": ["disposal", "gender", "rosh", "sentence_date", "cluster", "officer_grade"],
            "location": "cluster",
            "size": "formula",
            "sub_samples": [
                {"label": "Male cases", "attribute": "gender", "values": ["male"]},
                {"label": "Female cases", "attribute": "gender", "values": ["female"]},
                {
                    "label": "Community sentences",
                    "attribute": "disposal",
                    "values": ["community sentence"],
                },
                {
                    "label": "Post-release licences",
                    "attribute": "disposal",
                    "values": ["post-release licence"],
                },
                {"label": "PO cases", "attribute": "officer_grade", "values": ["PO"]},
                {"label": "PSO cases", "attribute": "officer_grade", "values": ["PSO"]},
                {
                    # The keeping-safe key questions leave out cases of low risk of harm.
                    "label": "RoSH medium, high or very high",
                    "attribute": "rosh",
                    "values": ["medium", "high", "very high"],
                },
                {
                    "label": "RoSH high or very high",
                    "attribute": "rosh",
                    "values": ["high", "very high"],
                },
            ],
        },
        "court-reports": {
            # Annexe 2: "the ratios in relation to report type and the agency to which any
            # resulting case is allocated matched those in the eligible population"; the
            # reports are those completed in one week, so the export carries that date.
            "strata": ["report_type", "allocated_to"],
            "date": "completed",
            "extra_fields": [{"id": "completed", "label": "Report completed", "type": "date"}],
            "required": ["report_type", "allocated_to", "completed"],
            "location": "court",
            "size": "formula",
            "sub_samples": [
                {
                    "label": "Sentenced and allocated",
                    "attribute": "allocated_to",
                    "values": ["NPS", "CRC"],
                },
                {"label": "Allocated to the NPS", "attribute": "allocated_to", "values": ["NPS"]},
                {"label": "Allocated to a CRC", "attribute": "allocated_to", "values": ["CRC"]},
                {"label": "Oral reports", "attribute": "report_type", "values": ["oral"]},
                {
                    "label": "Short format reports",
                    "attribute": "report_type",
                    "values": ["short format"],
                },
            ],
        },
        "victim": {
            "strata": ["stage"],
            "date": None,
            "required": ["stage"],
            "location": None,
            # Annexe 2: published data is insufficient for a margin of error, so the size
            # of the victim sample is estimated from workload and the previous inspection.
            "size": "estimated",
            "sub_samples": [
                {"label": "Post-sentence", "attribute": "stage", "values": ["post-sentence"]},
                {"label": "Pre-release", "attribute": "stage", "values": ["pre-release"]},
            ],
        },
    }
}


@dataclass(frozen=True)
class ExtraField:
    """A column of the population that is not a case attribute (e.g. the report's date)."""

    id: str
    label: str
    type: str = "date"


@dataclass(frozen=True)
class SubSample:
    """Cases whose ``attribute`` is one of ``values``: a sub-sample the report shows."""

    label: str
    attribute: str
    values: tuple[AttributeValue, ...]

    def holds(self, attributes: Mapping[str, AttributeValue]) -> bool:
        return attributes.get(self.attribute) in self.values


@dataclass(frozen=True)
class SamplingPlan:
    sample: str
    strata: tuple[str, ...] = ()
    date: str | None = None
    required: tuple[str, ...] = ()
    location: str | None = None
    size: str = "formula"  # "formula" (confidence and margin) or "estimated" (given by hand)
    sub_samples: tuple[SubSample, ...] = ()
    extra_fields: tuple[ExtraField, ...] = ()

    def extra_field(self, field_id: str) -> ExtraField | None:
        return next((f for f in self.extra_fields if f.id == field_id), None)

    def with_strata(self, strata: tuple[str, ...]) -> SamplingPlan:
        return SamplingPlan(
            self.sample,
            strata,
            self.date,
            tuple(dict.fromkeys((*self.required, *strata))),
            self.location,
            self.size,
            self.sub_samples,
            self.extra_fields,
        )

    def as_dict(self) -> dict[str, Any]:
        """The plan as recorded with a draw."""
        return {
            "sample": self.sample,
            "strata": list(self.strata),
            "date": self.date,
            "required": list(self.required),
            "location": self.location,
            "size": self.size,
            "sub_samples": [
                {"label": s.label, "attribute": s.attribute, "values": list(s.values)}
                for s in self.sub_samples
            ],
            "extra_fields": [
                {"id": f.id, "label": f.label, "type": f.type} for f in self.extra_fields
            ],
        }


def plan_from_dict(
    sample: Sample, data: Mapping[str, Any], *, source: str = "plan"
) -> SamplingPlan:
    """Build a plan and check that every attribute it names belongs to the sample."""
    extra = tuple(
        ExtraField(f["id"], f["label"], f.get("type", "date")) for f in data.get("extra_fields", ())
    )
    known = {a.id for a in sample.attributes} | {f.id for f in extra}
    plan = SamplingPlan(
        sample=sample.id,
        strata=tuple(data.get("strata", ())),
        date=data.get("date"),
        required=tuple(data.get("required", ())),
        location=data.get("location"),
        size=data.get("size", "formula"),
        sub_samples=tuple(
            SubSample(s["label"], s["attribute"], tuple(s["values"]))
            for s in data.get("sub_samples", ())
        ),
        extra_fields=extra,
    )
    named = [
        *plan.strata,
        *plan.required,
        *(s.attribute for s in plan.sub_samples),
        *([plan.date] if plan.date else []),
        *([plan.location] if plan.location else []),
    ]
    for attribute_id in named:
        if attribute_id not in known:
            raise FrameworkError(
                f"the sampling plan names {attribute_id!r}, which sample {sample.id!r} does not "
                f"have (it has: {', '.join(sorted(known))})",
                file=source,
                place=sample.id,
            )
    if plan.size not in ("formula", "estimated"):
        raise FrameworkError(f"unknown size rule {plan.size!r}", file=source, place=sample.id)
    return plan


def plan_for(framework: Framework, sample_id: str) -> SamplingPlan:
    """The sampling plan of one sample of this framework (a simple random sample if none)."""
    sample = framework.sample(sample_id)
    data = PLANS.get(framework.id, {}).get(sample_id)
    if data is None:
        return SamplingPlan(sample=sample_id)
    return plan_from_dict(sample, data, source=f"sampling plans for {framework.id}")
