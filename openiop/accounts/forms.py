# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User


def _same_address(a: str, b: str) -> bool:
    # Django's own comparison (Unicode TR 36): a look-alike address must not
    # receive someone else's link.
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


class LoginForm(AuthenticationForm):
    """Django's sign-in form with its username length enforced: Django sets
    the limit after the field is built, so only the browser checked it, and a
    longer name reached authentication and the lockout table (255 characters
    on PostgreSQL: a 500 instead of "wrong username or password")."""

    def clean_username(self) -> str:
        username = str(self.cleaned_data.get("username") or "")
        if len(username) > (self.username_field.max_length or 150):
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return username


class StaffPasswordResetForm(PasswordResetForm):
    """Django's reset form, also for active staff who have no password yet.

    ``staff_create(password=None)`` makes such accounts and the reset link is
    their way in. Django skips them because elsewhere an unusable password can
    mean "signs in through LDAP or SSO"; OpenIOP has no such outside source.
    """

    def get_users(self, email: str) -> Iterator[User]:
        candidates = User._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in candidates if _same_address(email, user.email))


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        # Not six characters exactly: apps show "123 456" and people type the
        # space; clean_token checks for six digits once spaces are gone.
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]{6,7}", "autofocus": True}
        ),
    )

    def __init__(self, *args: Any, devices: list[TOTPDevice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.devices = devices
        self.device: TOTPDevice | None = None

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if len(token) != 6 or not token.isascii() or not token.isdigit():
            raise forms.ValidationError(_("Enter the six digits shown in your app."))
        for device in self.devices:
            allowed, _details = device.verify_is_allowed()
            if not allowed:
                raise forms.ValidationError(_("Too many wrong codes. Wait a moment and try again."))
            if device.verify_token(token):
                self.device = device
                return token
        raise forms.ValidationError(_("That code is not right or has expired. Try the code now shown in your app."))
