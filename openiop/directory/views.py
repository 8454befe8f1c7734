# SPDX-License-Identifier: AGPL-3.0-or-later
"""The public locator (no sign-in) and the administrators' import page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from openiop.audit.guards import require_action
from openiop.directory import selectors
from openiop.directory.forms import ImportForm, SearchForm
from openiop.directory.geo import Point, haversine_miles
from openiop.directory.importer import ImportFileError, guess_format, import_facilities
from openiop.directory.permissions import DIRECTORY_IMPORT
from openiop.directory.selectors import Filters
from openiop.directory.vocab import Service

CALL_BACK_URL = "/help/call-back/"


def tile_url() -> str:
    """Map tiles come from OPENIOP_MAP_TILE_URL (e.g. a self-hosted tile
    server); empty means no map, the list alone."""
    return str(getattr(settings, "OPENIOP_MAP_TILE_URL", "") or "")


def tile_attribution() -> dict[str, str]:
    """Who the map's tiles come from, as their license asks to be shown."""
    return {
        "text": str(getattr(settings, "OPENIOP_MAP_TILE_ATTRIBUTION", "") or ""),
        "url": str(getattr(settings, "OPENIOP_MAP_TILE_ATTRIBUTION_URL", "") or ""),
    }


def _search_query(request: HttpRequest) -> str:
    """The search as a query string without the page number, so links can
    carry it to a facility page and back."""
    known = set(SearchForm.base_fields) - {"page"}
    return urlencode(
        [(name, value) for name, values in request.GET.lists() if name in known for value in values if value != ""]
    )


def _result_rows(hits: list[selectors.Hit], query: str) -> list[dict[str, Any]]:
    """What the result list shows, as plain strings: the list is the
    public site's busiest fragment, and plain values render fastest."""
    base = reverse("directory:search")
    rows = []
    for hit in hits:
        facility = hit.facility
        rows.append(
            {
                "name": facility.name,
                "url": f"{base}{facility.pk}/?{query}",
                # Rounded first: number_format truncates.
                "distance": _("%(miles)s miles away") % {"miles": number_format(round(hit.miles, 1), 1)},
                "miles": round(hit.miles, 1),
                "lat": facility.latitude,
                "lon": facility.longitude,
                "own": facility.is_own_site,
                "phone": facility.phone,
                "address": ", ".join(facility.address_lines()),
                "services": ", ".join(str(label) for label in facility.service_labels()),
                "payment": ", ".join(str(label) for label in facility.payment_labels()),
            }
        )
    return rows


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    searched = any(request.GET.get(name) for name in ("zip", "city", "state", "lat", "lon"))
    form = SearchForm(request.GET if searched else None)
    context: dict[str, Any] = {
        "form": form,
        "searched": searched,
        "tile_url": tile_url(),
        "tile_attribution": tile_attribution(),
    }
    if searched and form.is_valid() and form.origin is not None:
        page = form.cleaned_data.get("page") or 1
        filters = form.filters()
        if filters.services:
            result = selectors.search_facilities(
                origin=form.origin,
                radius_miles=form.cleaned_data["radius"],
                filters=filters,
                offset=(page - 1) * selectors.PAGE_SIZE,
            )
        else:
            # No type of care chosen: this is "find an IOP near me", so the
            # places that offer IOP come first.
            result = selectors.search_offering_first(
                origin=form.origin,
                radius_miles=form.cleaned_data["radius"],
                service=int(Service.IOP),
                filters=filters,
                offset=(page - 1) * selectors.PAGE_SIZE,
            )
        query = _search_query(request)
        rows = _result_rows(result.hits, query)
        context.update(
            rows=rows,
            result=result,
            origin=form.origin,
            origin_label=form.origin_label,
            radius=form.cleaned_data["radius"],
            query=query,
            page=page,
            next_page=page + 1 if result.has_more else None,
            previous_page=page - 1 if page > 1 else None,
            first_number=result.offset + 1,
            last_number=result.offset + len(result.hits),
            iop_first=not filters.services,
            filters_chosen=filters != Filters(),
            count_cap=number_format(selectors.COUNT_CAP, 0, force_grouping=True),
            map_points=[
                {"name": row["name"], "lat": row["lat"], "lon": row["lon"], "miles": row["miles"], "url": row["url"]}
                for row in rows
            ],
        )
    return render(request, "directory/search.html", context)


@require_GET
def facility(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.facility_for_public(pk)
    if found is None:
        raise Http404("No such facility.")
    miles = None
    query = ""
    if any(request.GET.get(name) for name in ("zip", "city", "state", "lat", "lon")):
        form = SearchForm(request.GET)
        if form.is_valid() and form.origin is not None and found.latitude is not None and found.longitude is not None:
            miles = haversine_miles(form.origin, Point(found.latitude, found.longitude))
            query = _search_query(request)
    context = {
        "facility": found,
        "miles": miles,
        "query": query,
        "call_back_url": f"{CALL_BACK_URL}?{urlencode({'site': found.site.code})}" if found.site else "",
        "tile_url": tile_url(),
    }
    return render(request, "directory/facility.html", context)


@require_action(DIRECTORY_IMPORT)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        fmt = form.cleaned_data["format"] or guess_format(upload.name or "")
        try:
            report = import_facilities(content=upload.read(), fmt=fmt, actor=request.user)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
    return render(request, "directory/import.html", {"form": form, "report": report})
