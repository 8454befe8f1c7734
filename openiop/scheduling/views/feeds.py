# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calendar feeds: staff and patient tokens, and the signed .ics feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import get_restricted_or_404, require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.audit.services import log_action
from openiop.core.ascii_digits import parse_id
from openiop.patients.models import Patient
from openiop.scheduling import feeds, services
from openiop.scheduling.forms import FeedForm
from openiop.scheduling.models import FeedToken
from openiop.scheduling.permissions import SCHEDULING_MANAGE, SCHEDULING_VIEW
from openiop.sites.models import Site

# --- Calendar feeds -------------------------------------------------------------------------------------------------


def _feed_url(request: HttpRequest, signed: str) -> str:
    return request.build_absolute_uri(reverse("scheduling:feed", args=[signed]))


@require_action(SCHEDULING_VIEW)
@require_http_methods(["GET", "POST"])
def staff_feeds(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's own calendar feeds: create, revoke."""
    user = staff_user(request)
    form = FeedForm(request.POST or None)
    new_url = ""
    if request.method == "POST" and "revoke" in request.POST:
        token = FeedToken.objects.filter(user=user, pk=parse_id(request.POST["revoke"]) or 0).first()
        if token is None:
            raise Http404
        services.feed_token_revoke(actor=user, token=token)
        messages.success(request, _("Feed revoked: calendars using it stop updating."))
        return HttpResponseRedirect(reverse("scheduling:feeds"))
    if request.method == "POST" and form.is_valid():
        site = Site.objects.filter(pk__in=user.site_ids()).order_by("name").first()
        if site is None:
            raise PermissionDenied
        _token, signed = services.feed_token_create(actor=user, site=site, user=user, label=form.cleaned_data["label"])
        new_url = _feed_url(request, signed)
        form = FeedForm()
    tokens = FeedToken.objects.filter(user=user)
    return render(
        request, "scheduling/feeds.html", {"form": form, "tokens": tokens, "new_url": new_url, "patient": None}
    )


@require_action(SCHEDULING_MANAGE)
@require_http_methods(["GET", "POST"])
def patient_feeds(request: HttpRequest, pk: int) -> HttpResponse:
    """A patient's calendar feeds (their own sessions only): create, revoke."""
    patient = read_restricted_or_404(
        Patient.objects.select_related("site"), request, SCHEDULING_MANAGE, view="patient_feeds", pk=pk
    )
    user = staff_user(request)
    form = FeedForm(request.POST or None)
    new_url = ""
    if request.method == "POST" and "revoke" in request.POST:
        token = get_restricted_or_404(
            FeedToken.objects.filter(patient=patient),
            request,
            SCHEDULING_MANAGE,
            pk=parse_id(request.POST["revoke"]) or 0,
        )
        services.feed_token_revoke(actor=user, token=token)
        messages.success(request, _("Feed revoked: calendars using it stop updating."))
        return HttpResponseRedirect(reverse("scheduling:patient_feeds", args=[patient.pk]))
    if request.method == "POST" and form.is_valid():
        _token, signed = services.feed_token_create(
            actor=user, site=patient.site, patient=patient, label=form.cleaned_data["label"]
        )
        new_url = _feed_url(request, signed)
        form = FeedForm()
    tokens = FeedToken.objects.restrict(request.user, SCHEDULING_MANAGE).filter(patient=patient)
    return render(
        request, "scheduling/feeds.html", {"form": form, "tokens": tokens, "new_url": new_url, "patient": patient}
    )


@never_cache
@require_GET
def feed(request: HttpRequest, signed: str) -> HttpResponse:
    """The .ics itself: no sign-in, a valid unrevoked signed token instead."""
    token = services.feed_token_for(signed)
    if token is None:
        raise Http404
    if not feeds.may_read(token):
        # Looks like a revoked link from outside; the log says why it stopped.
        log_action("scheduling.feed.refused", obj=token, patient_id=token.patient_id, site_id=token.site_id)
        raise Http404
    body = feeds.patient_feed(token) if token.kind == FeedToken.Kind.PATIENT else feeds.staff_feed(token)
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    log_action("scheduling.feed.read", obj=token, patient_id=token.patient_id, site_id=token.site_id)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="openiop.ics"'
    return response
