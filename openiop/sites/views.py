# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openiop.accounts.permissions import STAFF_VIEW
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.sites import selectors
from openiop.sites.permissions import SITE_VIEW


@require_action(SITE_VIEW)
def site_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sites/site_list.html", {"sites": selectors.site_list(user=request.user)})


@require_action(SITE_VIEW)
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    site = get_restricted_or_404(selectors.site_detail_queryset(user=request.user), request, SITE_VIEW, code=code)
    return render(request, "sites/site_detail.html", {"site": site})


@require_action(STAFF_VIEW)
def staff_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sites/staff_list.html", {"staff": selectors.staff_list(user=request.user)})
