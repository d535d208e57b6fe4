"""The case view and its parts.

``view.CaseView`` is the screen. It is built in layers, one part per module:
``navigation.CaseNavigation`` (moving through the items; ``navigator.NavigatorModel`` is its
tree), ``edits.CaseEdits`` (answering, judging, notes, attributes, undo) and ``view.CaseView``
(layout, actions, opening a case, what the store says). The item panels are ``prompt``
and ``judgement`` (with what they share in ``panel``); ``attributes`` and ``completion`` are
the side panels; ``session.CaseSession`` is the open case's state and its writes;
``problems`` holds the problem banner and the save indicator.
"""
