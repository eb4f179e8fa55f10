"""`python -m insighta_desktop.cli`: the `insighta` command line (the desktop app runs its imports this way)."""
import sys

from insighta_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
