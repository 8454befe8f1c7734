# SPDX-License-Identifier: AGPL-3.0-or-later
"""The plan library: picking a common problem into a draft plan, and the
clinical director's page for the library itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import read_restricted_or_404
from openiop.core.ascii_digits import parse_id
from openiop.core.views import attach_error
from openiop.treatment import forms, selectors
from openiop.treatment.models import LibraryEntry
from openiop.treatment.permissions import LIBRARY_EDIT, PLAN_WRITE
from openiop.treatment.services import library as services
from openiop.treatment.views.plans import plan_body_response


@require_action(PLAN_WRITE)
@require_http_methods(["GET", "POST"])
def plan_from_library(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a library problem into the draft (the plan page posts here; this
    page is the no-script fallback)."""
    version = read_restricted_or_404(selectors.version_queryset(), request, PLAN_WRITE, view="plan_from_library", pk=pk)
    problems = services.library_problems()
    form = forms.LibraryPickForm(
        request.POST if request.method == "POST" else None, problems=problems,
        initial={"lock_version": version.lock_version}, prefix="library",
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.add_from_library(
                actor=staff_user(request), version=version, entry=form.cleaned_data["entry"],
                responsible=staff_user(request), expected_lock_version=form.cleaned_data.get("lock_version"),
            )  # fmt: skip
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Added from the library: %(problem)s") % {"problem": problem.description})
            if getattr(request, "htmx", False):
                return plan_body_response(request, version)
            return HttpResponseRedirect(reverse("treatment:plan_version", args=[version.pk]) + "#problems")
    return render(
        request,
        "treatment/plan_from_library.html",
        {"form": form, "version": version, "patient": version.plan.episode.patient, "problems": problems},
    )


@require_action(LIBRARY_EDIT)
@require_http_methods(["GET", "POST"])
def library(request: HttpRequest) -> HttpResponse:
    """Every entry as a tree; ?edit=<id> edits one, otherwise the form adds
    one (?kind=&parent= prefill it)."""
    editing = None
    edit_id = parse_id(request.GET.get("edit"))
    if edit_id is not None:
        editing = LibraryEntry.objects.filter(pk=edit_id).first()
    initial = {}
    if editing is None:
        initial = {"kind": request.GET.get("kind", "problem"), "parent": parse_id(request.GET.get("parent"))}
    form = forms.LibraryEntryForm(request.POST if request.method == "POST" else None, instance=editing, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.library_save(actor=staff_user(request), entry=form.save(commit=False))
        except ValidationError as exc:
            attach_error(request, form, exc)
        else:
            messages.success(request, _("Saved in the plan library: %(entry)s") % {"entry": entry.text[:80]})
            return HttpResponseRedirect(reverse("treatment:library") + f"#entry-{entry.pk}")
    problems = list(
        LibraryEntry.objects.filter(kind=LibraryEntry.Kind.PROBLEM)
        .prefetch_related("children__children")
        .order_by("position", "pk")
    )
    return render(request, "treatment/library.html", {"form": form, "editing": editing, "problems": problems})
