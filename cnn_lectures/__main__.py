"""``python -m cnn_lectures``: the command line (see :mod:`cnn_lectures.cli`)."""

import sys

from cnn_lectures.cli import main

sys.exit(main())
