"""Test-wide settings: property tests are time-insensitive (CI machines are shared and slow) and,
under CI, derandomised so that a red run can be reproduced."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("sohoa", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "sohoa")
