# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rate limits for the public forms (django-ratelimit), on a cache every web
worker shares.

django-ratelimit counts with ``cache.add`` then ``cache.incr``. Django's
database cache has neither property the counter needs: its ``incr`` is a
read then a write (two workers can both read 3 and both write 4), and it
writes the entry back with the cache's default timeout, so a counter meant to
live an hour can vanish after five minutes. ``RateLimitCache`` fixes both
for its table (``openiop_ratelimit``, created by this app's migration):
``incr`` takes the write lock first (a row lock on PostgreSQL, the database
write lock on SQLite), then reads and writes the value, and leaves the expiry
alone.

Settings (the lead's ``settings.py``)::

    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "ratelimit": {
            "BACKEND": "openiop.public.ratelimit.RateLimitCache",
            "LOCATION": "openiop_ratelimit",
            "OPTIONS": {"MAX_ENTRIES": 100000},
        },
    }
    RATELIMIT_USE_CACHE = "ratelimit"
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.http import HttpRequest
from django.utils.timezone import now
from django_ratelimit.core import get_usage

from openiop.core.client_address import client_ip

# Requests a person may make per form per hour from one address; every POST
# (even a rejected one) also counts against a looser overall limit, so a
# script cannot probe the forms endlessly.
ACCEPTED_RATE = "5/h"
ANY_POST_RATE = "30/h"


class RateLimitCache(DatabaseCache):
    """A database cache whose ``incr`` is atomic and keeps the expiry."""

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote = connection.ops.quote_name
        table = quote(self._table)  # type: ignore[attr-defined]  # set by BaseDatabaseCache, untyped in the stubs
        key_column, value_column, expires_column = quote("cache_key"), quote("value"), quote("expires")
        current = connection.ops.adapt_datetimefield_value(now().replace(microsecond=0))
        with transaction.atomic(using=db), connection.cursor() as cursor:
            # A write first, so no other worker can read the value between our read and our write.
            cursor.execute(
                f"UPDATE {table} SET {expires_column} = {expires_column} "  # noqa: S608 - quoted names
                f"WHERE {key_column} = %s AND {expires_column} > %s",
                [key, current],
            )
            if cursor.rowcount != 1:
                raise ValueError(f"Key {key!r} not found")
            cursor.execute(f"SELECT {value_column} FROM {table} WHERE {key_column} = %s", [key])  # noqa: S608
            raw = connection.ops.process_clob(cursor.fetchone()[0])
            value = pickle.loads(base64.b64decode(raw.encode())) + delta  # noqa: S301 - our own table
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s",  # noqa: S608
                [encoded, key],
            )
        return value

    def decr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        return self.incr(key, -delta, version)


def count_and_check(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against GROUP; True when it goes over RATE."""
    usage = get_usage(request, group=group, key=client_ip, rate=rate, method=["POST"], increment=True)
    return bool(usage and usage["should_limit"])
