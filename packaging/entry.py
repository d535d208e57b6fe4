"""The packaged application's entry point: the ``fieldwork`` console script.

With no command (or ``open``) it opens the application; otherwise it runs a
command-line command, exactly as ``fieldwork`` does in a development install
(both call ``fieldwork.cli.main``).
"""

import sys

from fieldwork.cli import main

if __name__ == "__main__":
    sys.exit(main())
