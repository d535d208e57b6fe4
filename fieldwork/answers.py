"""The typed value of an answer to a prompt or of a key-question judgement.

One type from the store to the screen: the service accepts only an ``Answer`` (or
``None`` to clear), bundles and exports write its ``value``, and the GUI compares
members, never display text.
"""

from __future__ import annotations

from enum import StrEnum


class Answer(StrEnum):
    """Yes, No or Not applicable (by the inspector's choice), as stored (``value``)."""

    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "na"

    @property
    def label(self) -> str:
        """How a person reads it."""
        return {"yes": "Yes", "no": "No", "na": "Not applicable"}[self.value]
