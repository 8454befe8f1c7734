# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from typing import Any

import pytest

RATELIMIT_CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "openiop.public.ratelimit.RateLimitCache",
        "LOCATION": "openiop_ratelimit",
        "OPTIONS": {"MAX_ENTRIES": 100000},
    },
}


@pytest.fixture(autouse=True)
def _shared_ratelimit_cache(settings: Any) -> None:
    """The rate-limit cache the report proposes for settings.py: counters in
    the database (rolled back with each test), shared by every worker."""
    settings.CACHES = RATELIMIT_CACHES
    settings.RATELIMIT_USE_CACHE = "ratelimit"
