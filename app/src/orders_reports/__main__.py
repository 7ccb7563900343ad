"""``python -m orders_reports`` is the ``orders-reports`` command."""

import sys

from orders_reports.cli import main

sys.exit(main())
