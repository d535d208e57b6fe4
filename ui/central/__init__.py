"""Central ▸ Inspection set-up…, Import cases… and Allocation…: the lead inspector's set-up.

Each dialog only shows and calls: every read and write is an operation of
``fieldwork.central`` or ``fieldwork.allocation`` run through ``window.runner``, the
same functions the ``fieldwork setup`` and ``fieldwork allocate`` commands call. After
a change the main window's case list is fetched again (``window.refresh()``).
"""

from ui.central.menu import install

__all__ = ["install"]
