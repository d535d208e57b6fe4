"""The packaged application's entry point: the ``fieldwork`` console script.

With no command (or ``open``) it opens the application; otherwise it runs a
command-line command, exactly as ``fieldwork`` does in a development install.
"""

from ui.launcher import main

if __name__ == "__main__":
    main()
