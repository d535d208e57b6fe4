"""Central scoring: from the case judgements to the published ratings (Annexe 2, Annexe 4).

- ``rules``: the report's rules as functions of counts (rounding, bands, panel flags,
  overall score, the z-test);
- ``data``: the bulk reads of a workspace;
- ``scores``: ``score(service)`` and the figures, breakdowns and drill-downs;
- ``records`` and ``panel``: panel decisions, domain 1 ratings, previous figures;
- ``tables``: every output table as plain rows; ``export`` (CSV, Excel) and ``report`` (PDF)
  write them.
"""

from fieldwork.scoring.panel import decide, rate_domain1
from fieldwork.scoring.records import import_previous_figures
from fieldwork.scoring.rules import Band, Rating, percentage, two_proportion_z
from fieldwork.scoring.scores import Scores, breakdown, cases_behind, score

__all__ = [
    "Band",
    "Rating",
    "Scores",
    "breakdown",
    "cases_behind",
    "decide",
    "import_previous_figures",
    "percentage",
    "rate_domain1",
    "score",
    "two_proportion_z",
]
