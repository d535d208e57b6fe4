"""A guard against a reference-count bug in PySide6 6.12.0 on Python 3.11.

On Python 3.11, PySide6 6.12.0 hands back ``True`` from ``Signal.emit()`` and ``None``
for an empty ``QVariant`` without taking a reference, so every such call leaves the
singleton one reference short. A working session makes thousands of these calls (an
inspector's day is enough), and when ``None``'s count reaches zero the interpreter
aborts ("deallocating None"). Python 3.12 made these singletons immortal, which hides
the bug; on 3.11 we give them a reserve of references that no session can use up.
Remove this module when the project requires Python 3.12 or a fixed PySide6.
"""

from __future__ import annotations

import ctypes
import sys

#: References added to each singleton: leaking one per call, a session would need
#: this many calls to exhaust them (centuries of work).
RESERVE = 1 << 40


def immortalize_singletons() -> bool:
    """Give None, True and False a reserve of references (CPython before 3.12 only)."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt, first in PyObject
        if count.value < RESERVE:
            count.value += RESERVE
    return True
