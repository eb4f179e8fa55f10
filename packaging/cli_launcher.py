"""PyInstaller's entry script for the second executable of the bundle: the `insighta` command line."""
import sys

from insighta_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
