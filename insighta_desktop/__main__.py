import sys

from insighta_desktop.app import main

sys.exit(main())
