"""Quality assurance and consistency of judgements (issue 17, design section 4b).

- ``threads``: review threads on an item or a whole case (open, reply, resolve, reopen);
- ``review``: case review states (submitted, returned, resubmitted, accepted);
- ``register``: the dip-sample register, drawn reproducibly per inspector;
- ``double``: blind double marking, agreement figures, adjudication and rating flags;
- ``practice``: practice workspaces scored against an assessor's reference.

Layer: above scoring and sampling, below bundles and central (pyproject's layers contract).
"""
