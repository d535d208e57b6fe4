"""The ratings panel's decisions and the lead inspector's domain 1 ratings, with the rules'
checks around them."""

from __future__ import annotations

from fieldwork.errors import InvalidChange
from fieldwork.scoring.records import (
    Domain1Rating,
    PanelDecision,
    record_domain1_rating,
    record_panel_decision,
)
from fieldwork.scoring.rules import Rating
from fieldwork.scoring.scores import score
from fieldwork.service import Service


def decide(
    service: Service,
    standard_id: str,
    final: Rating | str,
    reasons: str,
    *,
    only_complete: bool = True,
) -> PanelDecision:
    """Record the ratings panel's final rating of a flagged standard, with its reasons.

    The standard is scored afresh first, on the case set given (``only_complete``, as
    ``score`` takes it); the decision keeps that case set and the provisional rating and
    lowest key question the panel was shown. A standard the rules did not flag is refused: the panel
    exercises discretion only "where the lowest percentage at the key question level is close
    to the rating boundary" (Annexe 2).
    """
    scores = score(service, only_complete=only_complete, breakdowns=None)
    try:
        standard = scores.standard(standard_id.strip())
    except KeyError:
        raise InvalidChange(f"there is no standard {standard_id!r}") from None
    if standard.assessed == "inspection":
        raise InvalidChange(
            f"standard {standard.id} is a domain 1 standard, rated by the lead inspector"
        )
    if not standard.flagged:
        raise InvalidChange(
            f"standard {standard.id} is not flagged for the ratings panel: {standard.statement} "
            "The panel decides only on flagged standards.",
            place=f"panel decision on {standard.id}",
        )
    lowest = standard.lowest
    return record_panel_decision(
        service,
        standard.id,
        final,
        reasons,
        provisional=standard.provisional,
        lowest_item=lowest.item_id if lowest else None,
        lowest_percentage=lowest.percentage if lowest else None,
        only_complete=only_complete,
    )


def rate_domain1(
    service: Service, standard_id: str, rating: Rating | str, evidence: str
) -> Domain1Rating:
    """Record the lead inspector's single judgement on a domain 1 standard, with evidence."""
    return record_domain1_rating(service, standard_id, rating, evidence)
