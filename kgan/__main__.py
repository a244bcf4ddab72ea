"""`python -m kgan`: the `kgan` command line."""

import sys

from kgan.cli import main

sys.exit(main())
