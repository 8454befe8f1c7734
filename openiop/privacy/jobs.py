# SPDX-License-Identifier: AGPL-3.0-or-later
"""The daily privacy job: tell each privacy officer how many consents at
their sites expire in the next 14 days, so renewals are asked for in time.

The dashboard lists the consents themselves (computed when it is shown); the
e-mail only counts them and links there: no patient is named outside sign-in
(42 CFR Part 2). The worker calls ``daily_expiry_digest`` every hour; the
first call of a day sends, the rest find the day's row and do nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openiop.accounts.models import User
from openiop.core.roles import RoleCode
from openiop.privacy import selectors
from openiop.privacy.models import ExpiryDigest

CHECK_SECONDS = 3600


def daily_expiry_digest(*, now: dt.datetime | None = None) -> int | None:
    """Send today's digest unless it went out already; the number of officers
    written to, or None when another pass (or worker) sent it today."""
    today = timezone.localdate(now or timezone.now())
    try:
        with transaction.atomic():
            digest = ExpiryDigest.objects.create(day=today)
    except IntegrityError:
        return None
    link = f"{settings.OPENIOP_BASE_URL.rstrip('/')}{reverse('privacy:overview')}"
    written = 0
    officers = User.objects.filter(is_active=True, roles__code=RoleCode.PRIVACY_OFFICER).exclude(email="")
    for officer in officers.distinct().order_by("pk"):
        # Through the officer's own reach: their sites, and only while the
        # matrix still grants them the privacy dashboard.
        count = len(selectors.expiring_consents(officer, today=today))
        if not count:
            continue
        send_mail(
            _("OpenIOP: consents expiring in the next 14 days"),
            ngettext(
                "%(count)d consent at your sites expires in the next 14 days. Sign in to see it: %(link)s",
                "%(count)d consents at your sites expire in the next 14 days. Sign in to see them: %(link)s",
                count,
            )
            % {"count": count, "link": link},
            None,
            [officer.email],
        )
        written += 1
    ExpiryDigest.objects.filter(pk=digest.pk).update(officers=written)
    return written
