"""The Qt application. Calls into ``fieldwork``; holds no business rule of its own."""

from ui._refcounts import immortalize_singletons

immortalize_singletons()  # before any Qt call: see ui/_refcounts.py
