"""Central ▸ Quality assurance…: the QA dashboard (issue 17). Agreement between first and
second markings, the flags on rating-changing disagreements, the dip-sample register, each
inspector's QA figures and the review threads; draws the QA sample and saves the tables and
the PDF report. The tables are ``fieldwork.qa.report``'s, so every figure reads the same here
as in the PDF and the CSV files; every read and write goes through ``window.runner``.
"""

from ui.qa.dashboard import install

__all__ = ["install"]
