#!/usr/bin/env python3
"""Build the aigov-kg graph: load, validate, reason, publish. Run `python build.py --help`."""

from __future__ import annotations

import sys
from pathlib import Path

from kg.cli import build_main

if __name__ == "__main__":
    sys.exit(build_main(sys.argv[1:], default_root=Path(__file__).resolve().parent))
