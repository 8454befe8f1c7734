# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from openiop.accounts import mfa, throttle
from openiop.accounts.forms import LoginForm, TokenForm
from openiop.accounts.models import Action, Role, User
from openiop.accounts.permissions import DASHBOARD_VIEW, MATRIX_MANAGE, MATRIX_VIEW
from openiop.accounts.services import matrix_set_grant
from openiop.accounts.staff import staff_user
from openiop.audit.guards import require_action
from openiop.audit.reads import log_list_read
from openiop.audit.services import log_action
from openiop.core import navigation
from openiop.core.access import has_action


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["mfa_required"] = settings.OPENIOP_REQUIRE_MFA
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Before the password is checked: a throttled address's guesses never
        # reach the accounts, so they cannot count towards anyone's lockout.
        verdict = throttle.login_address_verdict(request)
        if verdict.limited:
            log_action("auth.login_throttled", data={"username": request.POST.get("username", "")[:150]})
            message = _(
                "Too many failed sign-ins from your network. Wait %(minutes)s minutes and try again, "
                "or ask an administrator for help."
            ) % {"minutes": _minutes(verdict.retry_after_seconds)}
            context = self.get_context_data(form=self.get_form_class()(request), throttled_message=message)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(verdict.retry_after_seconds)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        if form.data.get("username") and form.data.get("password"):
            # Both given, so the credentials were checked and refused (a blank
            # field is a slip, not a guess).
            throttle.count_login_failure(self.request)
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page with two limits. Per address: an address asking too
    often is told to wait (that says nothing about any account). Per e-mail
    address asked for, known or not: past the limit the page answers as
    always and sends nothing, so it cannot reveal which addresses have
    accounts, nor flood someone's inbox."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        verdict = throttle.reset_address_verdict(request)
        if verdict.limited:
            message = _(
                "Too many password-reset requests from your network. Wait %(minutes)s minutes and try again."
            ) % {"minutes": _minutes(verdict.retry_after_seconds)}
            context = self.get_context_data(form=self.get_form_class()(), throttled_message=message)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(verdict.retry_after_seconds)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if throttle.reset_account_limited(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: SetPasswordForm[User]) -> HttpResponse:
        response = super().form_valid(form)
        # The lockout page offers a reset as the way back in. Following the
        # emailed link proves more than a password would, so it lifts the lockout.
        axes_reset(username=form.user.get_username())
        return response


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    # Encoded, so a query string inside next stays part of next.
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


@login_required
@require_http_methods(["GET", "POST"])
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if mfa.confirmed_devices(user) and not request.user.is_verified():  # type: ignore[union-attr]
        # Adding a second device needs the first one: verify before enrolling.
        return HttpResponseRedirect(_with_next("accounts:mfa_verify", request.get_full_path()))
    device = mfa.pending_device(user)
    form = TokenForm(request.POST or None, devices=[device])
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        messages.success(request, _("Your authenticator app is set up. You will be asked for a code at each sign-in."))
        return HttpResponseRedirect(_safe_next(request))
    return render(
        request,
        "accounts/mfa_enrol.html",
        {"form": form, "qr_svg": mfa.qr_svg(device), "secret": mfa.base32_secret(device), "next": _safe_next(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    devices = mfa.confirmed_devices(user)
    if not devices:
        return HttpResponseRedirect(_with_next("accounts:mfa_enrol", _safe_next(request)))
    form = TokenForm(request.POST or None, devices=devices)
    if request.method == "POST" and form.is_valid() and form.device is not None:
        otp_login(request, form.device)
        log_action("auth.mfa_verified", obj=user)
        return HttpResponseRedirect(_safe_next(request))
    if request.method == "POST":
        log_action("auth.mfa_failed", obj=user)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@require_action(MATRIX_VIEW)
@require_http_methods(["GET", "POST"])
def permission_matrix(request: HttpRequest) -> HttpResponse:
    roles = list(Role.objects.restrict(request.user, MATRIX_VIEW).prefetch_related("actions"))
    actions = list(Action.objects.restrict(request.user, MATRIX_VIEW))
    can_edit = has_action(request.user, MATRIX_MANAGE)
    if request.method == "POST":
        if not can_edit:
            log_action("access.denied", data={"action": MATRIX_MANAGE, "path": request.path})
            raise PermissionDenied(MATRIX_MANAGE)
        role = Role.objects.restrict(request.user, MATRIX_MANAGE).filter(code=request.POST.get("role")).first()
        action = Action.objects.restrict(request.user, MATRIX_MANAGE).filter(code=request.POST.get("action")).first()
        if role is None or action is None:
            messages.error(request, _("Unknown role or action; nothing was changed."))
        else:
            granted = request.POST.get("granted") == "1"
            try:
                matrix_set_grant(actor=request.user, role=role, action=action, granted=granted)  # type: ignore[arg-type]
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return HttpResponseRedirect(reverse("accounts:permission_matrix"))
            messages.success(
                request,
                (_("%(role)s may now: %(action)s") if granted else _("%(role)s may no longer: %(action)s"))
                % {"role": role.name, "action": action.label},
            )
        return HttpResponseRedirect(reverse("accounts:permission_matrix"))
    grants = {(role.pk, action.pk) for role in roles for action in role.actions.all()}
    rows = [(action, [(role, (role.pk, action.pk) in grants) for role in roles]) for action in actions]
    return render(request, "accounts/permission_matrix.html", {"roles": roles, "rows": rows, "can_edit": can_edit})


# The home page; its URL keeps the name core:dashboard (openiop/config/urls.py).
# It lives here, not in core, because it audits what it shows and knows the staff user.
@never_cache
@require_action(DASHBOARD_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    # Through the matrix like every other page: withdrawing "dashboard.view"
    # from a role must close the page, not only hide its menu entry.
    user = staff_user(request)
    sections = navigation.dashboard_sections(request)
    # Sections come from every app; whatever patients or inquiries they hand
    # the page are named in one read event, so a new section cannot skip it.
    log_list_read("dashboard", [section.context for section in sections])
    return render(
        request,
        "core/dashboard.html",
        {"sections": sections, "sites": navigation.dashboard_sites(user), "has_role": user.roles.exists()},
    )
