"""Entry point of ``python -m tracksolid`` (see ``tracksolid.cli``)."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
