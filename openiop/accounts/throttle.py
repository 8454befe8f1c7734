# SPDX-License-Identifier: AGPL-3.0-or-later
"""Throttles on the sign-in and password-reset pages, counted in the shared
rate-limit cache (django-ratelimit on ``openiop.public.ratelimit.RateLimitCache``,
so every web worker sees the same counts).

The per-account lockout (django-axes) stays: it stops a guesser who targets
one account from anywhere. It also lets anyone lock anyone out with five wrong
passwords, so failures are counted per client address too, and an address
that keeps failing, whatever the usernames, is told to wait before its
guesses are even checked. Waiting costs it nothing an account would pay for.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage

from openiop.core.client_address import client_ip

LOGIN_FAILURES_GROUP = "accounts.login.failures-per-address"
RESET_ADDRESS_GROUP = "accounts.password-reset.per-address"
RESET_ACCOUNT_GROUP = "accounts.password-reset.per-account"


@dataclass(frozen=True)
class Verdict:
    limited: bool
    retry_after_seconds: int


def _login_rate() -> str:
    return f"{settings.OPENIOP_LOGIN_ADDRESS_FAILURES}/{settings.OPENIOP_LOGIN_ADDRESS_MINUTES}m"


def login_address_verdict(request: HttpRequest) -> Verdict:
    """Whether this address has already failed to sign in as often as the
    window allows (looked at, not counted: only a failure counts)."""
    usage = get_usage(request, group=LOGIN_FAILURES_GROUP, key=client_ip, rate=_login_rate(), increment=False)
    if usage is None:  # rate limiting switched off (RATELIMIT_ENABLE=False)
        return Verdict(limited=False, retry_after_seconds=0)
    # At the limit already: the next wrong password would be one too many.
    return Verdict(limited=usage["count"] >= usage["limit"], retry_after_seconds=max(int(usage["time_left"]), 1))


def count_login_failure(request: HttpRequest) -> None:
    get_usage(request, group=LOGIN_FAILURES_GROUP, key=client_ip, rate=_login_rate(), increment=True)


def normalized_email(email: str) -> str:
    # The comparison the reset form uses (NFKC, case-folded): look-alike
    # spellings of one address share one counter.
    return unicodedata.normalize("NFKC", email).casefold().strip()


def reset_address_verdict(request: HttpRequest) -> Verdict:
    """Counts this reset request against the client's address."""
    rate = f"{settings.OPENIOP_RESET_PER_ADDRESS_HOURLY}/h"
    usage = get_usage(request, group=RESET_ADDRESS_GROUP, key=client_ip, rate=rate, method=["POST"], increment=True)
    if usage is None:
        return Verdict(limited=False, retry_after_seconds=0)
    return Verdict(limited=bool(usage["should_limit"]), retry_after_seconds=max(int(usage["time_left"]), 1))


def reset_account_limited(request: HttpRequest, email: str) -> bool:
    """Counts this reset request against the e-mail address asked for (known
    or not, so the answer cannot tell which addresses have accounts)."""
    rate = f"{settings.OPENIOP_RESET_PER_ACCOUNT_HOURLY}/h"
    address = normalized_email(email)
    usage = get_usage(request, group=RESET_ACCOUNT_GROUP, key=lambda group, request: address, rate=rate, increment=True)
    return bool(usage and usage["should_limit"])
