# SPDX-License-Identifier: AGPL-3.0-or-later
"""The rate-limit cache: counters in the database, so every web worker sees
the same count, incremented atomically and kept for the whole window."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache import caches
from django.db import close_old_connections, connection
from django.test import RequestFactory

from openiop.core.client_address import client_ip
from openiop.public import ratelimit
from openiop.public.models import RateLimitEntry


@pytest.mark.django_db
def test_incr_keeps_the_expiry_the_counter_was_added_with() -> None:
    cache = caches["ratelimit"]
    assert cache.add("window", 1, 3600)
    expires = RateLimitEntry.objects.get().expires
    assert cache.incr("window") == 2
    assert cache.incr("window", 3) == 5
    assert cache.get("window") == 5
    assert RateLimitEntry.objects.get().expires == expires


@pytest.mark.django_db
def test_incr_of_a_missing_or_expired_counter_raises() -> None:
    cache = caches["ratelimit"]
    with pytest.raises(ValueError):
        cache.incr("never-added")
    cache.add("short", 1, -1)  # already expired
    with pytest.raises(ValueError):
        cache.incr("short")


@pytest.mark.django_db(transaction=True)
def test_concurrent_increments_from_many_workers_are_all_counted() -> None:
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip("an in-memory SQLite test database locks whole tables across threads; PostgreSQL runs this")
    caches["ratelimit"].add("shared", 0, 3600)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            cache = caches["ratelimit"]  # a fresh backend and connection per thread, like a worker
            for _ in range(25):
                cache.incr("shared")
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert caches["ratelimit"].get("shared") == 200


@pytest.mark.django_db
def test_limits_count_per_address_and_per_ipv6_network() -> None:
    factory = RequestFactory()

    def over(address: str) -> bool:
        return ratelimit.count_and_check(factory.post("/", REMOTE_ADDR=address), "test.group", "2/h")

    assert [over("198.51.100.7") for _ in range(3)] == [False, False, True]
    assert over("198.51.100.8") is False
    # Two addresses in one /64 are one household or one phone network.
    assert over("2001:db8:1:2::1") is False
    assert over("2001:db8:1:2::ffff") is False
    assert over("2001:db8:1:2:abcd::9") is True
    assert RateLimitEntry.objects.count() == 3


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(settings: Any) -> None:
    factory = RequestFactory()
    request = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert client_ip("g", request) == "10.0.0.2"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The client can forge the start of the list, not the entry our proxy appended.
    assert client_ip("g", request) == "203.0.113.5"
