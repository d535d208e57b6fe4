"""Interviews in the workbench: a list beside the case list, and each interview worked from
the keyboard in its own window (``ui.interviews.view``)."""

from __future__ import annotations

from ui.interviews.panel import InterviewPanel, install

__all__ = ["InterviewPanel", "install"]
