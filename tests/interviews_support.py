"""A constructed set of officer interviews whose figures are checked by hand."""

from __future__ import annotations

from fieldwork.interviews.questionnaire import OFFICER
from fieldwork.interviews.store import Interviews
from fieldwork.service import Service

# Ten officers: grade, cluster, workload manageable?, reasonable adjustments.
OFFICERS = [
    ("PO", "Cheshire", "agree", "agree"),
    ("PO", "Cheshire", "agree", "na"),
    ("PO", "Cheshire", "agree", "na"),
    ("PO", "Merseyside", "disagree", "agree"),
    ("PO", "Merseyside", "disagree", "na"),
    ("PO", "Merseyside", "disagree", "disagree"),
    ("PSO", "Cheshire", "agree", "agree"),
    ("PSO", "Merseyside", "agree", "na"),
    ("PSO", "Merseyside", "disagree", "agree"),
    ("PQiP", "Cheshire", "agree", "na"),
]


def answer_all(store: Interviews, interview_id: str) -> None:
    """Answer every counted item with its first answer: agree, yes or the first choice."""
    for entry in store.detail(interview_id).items:
        if entry.item.counted:
            store.answer(interview_id, entry.item.id, entry.item.values()[0])


def constructed(service: Service) -> Interviews:
    """The ten officers above, complete, and one more interview still open."""
    store = Interviews(service)
    for n, (grade, cluster, workload, adjustments) in enumerate(OFFICERS):
        created = store.create(
            OFFICER, f"Officer {n}", attributes={"grade": grade, "cluster": cluster}
        )
        answer_all(store, created.id)
        store.answer(created.id, "ro-workload-manageable", workload)
        store.answer(
            created.id,
            "ro-reasonable-adjustments",
            adjustments,
            na_reason="none needed" if adjustments == "na" else None,
        )
        store.mark_complete(created.id)
    # An interview not yet complete is left out of the figures.
    open_one = store.create(OFFICER, "Officer open", attributes={"grade": "PO"})
    store.answer(open_one.id, "ro-workload-manageable", "agree")
    return store
