# SPDX-License-Identifier: AGPL-3.0-or-later
"""Refuse, with a 400 and a plain message, a request carrying a NUL character.

No field has a use for NUL; Django's form fields already refuse it, but a
value a view reads straight from ``request.GET`` or ``request.POST`` (a search
term, a site code, attendance notes) would reach the database, and PostgreSQL
cannot hold NUL in text: the query fails and the person sees a 500. One check
here covers every such read, present and future.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils.html import escape
from django.utils.translation import gettext as _

NUL = "\x00"


def carries_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


class RejectNulMiddleware:
    """Reads the form as every view would (no view here swaps upload handlers,
    the one thing reading it early would prevent)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if carries_nul(request.GET) or (request.method == "POST" and carries_nul(request.POST)):
            message = _("The text sent held a character no field accepts (NUL). Go back, retype it and send again.")
            return HttpResponseBadRequest(f"<!doctype html><title>400</title><p>{escape(message)}</p>")
        return self.get_response(request)
