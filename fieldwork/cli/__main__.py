"""``python -m fieldwork.cli``: the same as the ``fieldwork`` command."""

import sys

from fieldwork.cli import main

sys.exit(main())
