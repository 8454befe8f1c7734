# SPDX-License-Identifier: AGPL-3.0-or-later
"""Calendar feed tokens: signed keys, created and revoked by staff."""

from __future__ import annotations

import secrets

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.accounts.models import User
from openiop.audit.services import log_action
from openiop.patients.models import Patient
from openiop.scheduling.models import FeedToken, hash_feed_key
from openiop.sites.models import Site

FEED_SALT = "openiop.scheduling.feed"


# --- Calendar feed tokens -------------------------------------------------------------------------------------------


def feed_signature(key: str) -> str:
    return signing.Signer(salt=FEED_SALT).sign(key)


def feed_key_from_signature(signed: str) -> str | None:
    try:
        return signing.Signer(salt=FEED_SALT).unsign(signed)
    except signing.BadSignature:
        return None


@transaction.atomic
def feed_token_create(
    *, actor: User, site: Site, patient: Patient | None = None, user: User | None = None, label: str = ""
) -> tuple[FeedToken, str]:
    """A new feed token and the signed value for its URL (shown once; only a
    hash of the key is stored)."""
    if (patient is None) == (user is None):
        raise ValidationError(_("A feed belongs to one patient or one staff member."))
    key = secrets.token_urlsafe(24)
    token = FeedToken.objects.create(
        kind=FeedToken.Kind.PATIENT if patient else FeedToken.Kind.STAFF,
        site=site,
        patient=patient,
        user=user,
        key_hash=hash_feed_key(key),
        label=label.strip()[:100],
        created_by=actor,
    )
    log_action("scheduling.feed.create", obj=token, actor=actor, patient_id=patient.pk if patient else None)
    return token, feed_signature(key)


@transaction.atomic
def feed_token_revoke(*, actor: User, token: FeedToken) -> FeedToken:
    locked = FeedToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        log_action("scheduling.feed.revoke", obj=locked, actor=actor, patient_id=locked.patient_id)
    return locked


def feed_token_for(signed: str) -> FeedToken | None:
    """The unrevoked token behind a signed feed URL, or None."""
    key = feed_key_from_signature(signed)
    if key is None:
        return None
    return (
        FeedToken.objects.select_related("patient", "user", "site")
        .filter(key_hash=hash_feed_key(key), revoked_at__isnull=True)
        .first()
    )
