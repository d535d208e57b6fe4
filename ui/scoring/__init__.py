"""Central ▸ Ratings dashboard…: the scoring tables and charts, the ratings panel's and the lead
inspector's decisions, and drill-down from any figure to the cases behind it.

The dashboard shows the tables of ``fieldwork.scoring.tables`` as they are, so every figure
reads the same here as in the PDF and the CSV files. Every read and write goes through
``window.runner``; the dialogs only show and call.
"""

from ui.scoring.menu import install

__all__ = ["install"]
