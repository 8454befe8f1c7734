# SPDX-License-Identifier: AGPL-3.0-or-later
"""The daily digest of consents expiring in the next 14 days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core import mail

from openiop.accounts.models import User
from openiop.core.management.commands import worker
from openiop.core.roles import RoleCode
from openiop.patients.models import Patient
from openiop.patients.tests.factories import NOW, TODAY
from openiop.privacy.information import ConsentKind
from openiop.privacy.jobs import daily_expiry_digest
from openiop.privacy.models import Consent, ExpiryDigest
from openiop.sites.models import Site

pytestmark = pytest.mark.django_db


def test_each_officer_is_told_once_a_day_how_many_consents_at_their_sites_expire_soon(
    record: Callable[..., Consent],
    patient: Patient,
    south_patient: Patient,
    officer: User,
    persona: Callable[..., User],
    south: Site,
) -> None:
    south_officer = persona(RoleCode.PRIVACY_OFFICER, site=south)
    record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=3))
    record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=14))
    record(patient, ConsentKind.SPECIFIC, expires_on=TODAY + dt.timedelta(days=30))

    assert daily_expiry_digest(now=NOW) == 1
    assert daily_expiry_digest(now=NOW + dt.timedelta(hours=1)) is None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email] and south_officer.email not in message.to
    assert message.body.startswith("2 consents at your sites expire in the next 14 days")
    assert "/privacy/" in message.body
    assert patient.legal_last_name not in message.body + message.subject
    assert ExpiryDigest.objects.get().officers == 1

    assert daily_expiry_digest(now=NOW + dt.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_nobody_is_written_to_when_nothing_expires(officer: User) -> None:
    assert daily_expiry_digest(now=NOW) == 0
    assert mail.outbox == []


def test_the_worker_runs_the_digest_every_hour(monkeypatch: pytest.MonkeyPatch) -> None:
    started: dict[str, tuple[float, object]] = {}
    monkeypatch.setattr(worker, "every", lambda seconds, stop, name, step: started.update({name: (seconds, step)}))
    monkeypatch.setattr(worker.DbWorkerCommand, "handle", lambda self, *args, **options: None)

    worker.Command().handle()

    assert started["privacy-daily"] == (3600, daily_expiry_digest)
    # Every app's registered job runs, the audit sealer and the clearinghouse inbox among them.
    assert {"audit-sealer", "clearinghouse-inbox"} <= set(started)
