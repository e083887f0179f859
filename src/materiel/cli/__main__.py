"""``python -m materiel.cli``: the same as the ``materiel`` command."""

import sys

from materiel.cli.main import main

sys.exit(main())
