"""`python -m bot` is the same as `spi-bot`."""

import sys

from bot.cli import main

sys.exit(main())
