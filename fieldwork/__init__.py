"""Fieldwork: the case-assessment core of a probation inspection.

This package never imports Qt; the GUI in ``ui/`` calls into it.
"""

__version__ = "0.1.0"
