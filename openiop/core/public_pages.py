# SPDX-License-Identifier: AGPL-3.0-or-later
"""The pages anyone may open, by URL name (never by path prefix: a staff page
placed under a public path must not inherit the public page's exemptions).

Two middlewares read these sets:

* ``RequireMFAMiddleware`` lets a person who has signed in with a password but
  not yet passed the second step reach ``MFA_EXEMPT_URL_NAMES`` only;
* ``NoStoreMiddleware`` marks every response ``no-store`` except the public
  site's pages (``PUBLIC_SITE_URL_NAMES``), which carry no patient data and
  choose their own caching (the forms there are ``never_cache`` already).

A URL name missing from these sets is treated as a staff page: a new page is
safe until someone decides, here, that it is public.
"""

from __future__ import annotations

from django.http import HttpRequest

# People looking for help: the public site and its facility locator.
PUBLIC_SITE_URL_NAMES = frozenset(
    {
        "public:home",
        "public:self_check",
        "public:cost",
        "public:call_back",
        "public:call_back_sent",
        "public:coverage_check",
        "public:coverage_check_sent",
        "directory:search",
        "directory:facility",
    }
)

# The steps between a password and a session, and the way back in.
SIGN_IN_URL_NAMES = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:mfa_enrol",
        "accounts:mfa_verify",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
    }
)

# The load balancer's probe and the public site's language switch.
OPERATIONS_URL_NAMES = frozenset({"core:healthz", "set_language"})

MFA_EXEMPT_URL_NAMES = PUBLIC_SITE_URL_NAMES | SIGN_IN_URL_NAMES | OPERATIONS_URL_NAMES


def url_name(request: HttpRequest) -> str | None:
    """The resolved "namespace:name" of the request's page, or None before
    URL resolution (a response made by a middleware) or for an unknown path."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None
