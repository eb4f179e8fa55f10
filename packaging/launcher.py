"""PyInstaller's entry script: the same `insighta-desktop` entry point as the installed package."""
import sys

from insighta_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
