# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.http import HttpRequest

from openiop.accounts.models import User


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member (views behind require_action only)."""
    user = request.user
    assert isinstance(user, User)
    return user
