# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every outbound path goes through the gate.

An outbound document is a template under ``templates/<app>/outbound/``. Each
one must be registered in ``services_release.OUTBOUND_TEMPLATES`` with the
service that renders it; only registered modules may render outbound
templates or PDFs; and rendering one in a request leaves a ``Disclosure``
carrying the hash of exactly what was produced. A refused request renders
nothing outbound."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from openiop.accounts.models import User
from openiop.patients.models import Patient
from openiop.patients.tests.factories import TODAY
from openiop.privacy import documents, services, services_release
from openiop.privacy.information import ConsentKind, Purpose
from openiop.privacy.models import Consent, Disclosure, ReleaseRequest
from openiop.privacy.tests.conftest import PROBATION

SOURCE = Path(settings.BASE_DIR) / "openiop"
# Modules allowed to call render_pdf, and why.
PDF_RENDERERS = {
    "openiop/privacy/documents.py": "defines render_pdf",
    "openiop/privacy/services_release.py": "the release packet: disclosed through the gate with its hash",
    "openiop/privacy/services_signing.py": "the signed consent: the program's own record, never sent by itself",
    "openiop/estimates/documents.py": "the Good Faith Estimate, given to the patient: their own information",
    "openiop/ledger/views.py": "the monthly statement: the patient's own account, no diagnosis or code",
}


def outbound_templates() -> set[str]:
    found = set()
    for path in SOURCE.glob("*/templates/**/outbound/*"):
        if path.is_file():
            parts = path.relative_to(SOURCE).parts
            found.add("/".join(parts[parts.index("templates") + 1 :]))
    return found


def test_every_outbound_template_is_registered_with_its_gated_renderer() -> None:
    templates = outbound_templates()
    assert "privacy/outbound/packet.html" in templates
    unregistered = templates - set(services_release.OUTBOUND_TEMPLATES)
    assert not unregistered, f"Outbound templates without a gated renderer: {sorted(unregistered)}"
    for template, service in services_release.OUTBOUND_TEMPLATES.items():
        assert callable(getattr(services_release, service)), f"{template}: {service} is not a service"


def test_only_registered_modules_render_outbound_templates_or_pdfs() -> None:
    offenders = []
    for path in SOURCE.rglob("*.py"):
        relative = str(path.relative_to(SOURCE.parent))
        if "/tests/" in relative or "/migrations/" in relative:
            continue
        text = path.read_text(encoding="utf-8")
        if (
            re.search(r"render_pdf\(|^\s*(?:import|from) weasyprint|write_pdf\(", text, re.MULTILINE)
            and relative not in PDF_RENDERERS
        ):
            offenders.append(f"{relative}: renders a PDF")
        if re.search(r"[\"'][a-z_]+/outbound/", text) and relative != "openiop/privacy/services_release.py":
            offenders.append(f"{relative}: names an outbound template")
    assert not offenders, "Outbound output must go through services_release and disclose(): " + "; ".join(offenders)


@pytest.fixture
def outbound_renders() -> Iterator[list[dict[str, Any]]]:
    """Every outbound template rendered meanwhile, with the Disclosure count then."""
    seen: list[dict[str, Any]] = []

    def note(sender: Any, template: Any, context: Any, **kwargs: Any) -> None:
        name = getattr(template, "name", "") or ""
        if "/outbound/" in name:
            seen.append({"template": name, "disclosures_before": Disclosure.objects.count()})

    template_rendered.connect(note, dispatch_uid="outbound-guard")
    try:
        yield seen
    finally:
        template_rendered.disconnect(dispatch_uid="outbound-guard")


def _release(patient: Patient, officer: User) -> ReleaseRequest:
    return services_release.release_request_record(
        actor=officer,
        patient=patient,
        received_on=TODAY,
        due_on=TODAY + dt.timedelta(days=10),
        requester=PROBATION,
        information=["attendance"],
        purpose=Purpose.CRIMINAL_JUSTICE,
        channel="fax",
    )


@pytest.mark.django_db
def test_a_view_that_renders_a_packet_leaves_a_disclosure_with_the_packets_hash(
    client: Client,
    record: Callable[..., Consent],
    patient: Patient,
    officer: User,
    outbound_renders: list[dict[str, Any]],
) -> None:
    record(patient, ConsentKind.SPECIFIC)
    release = _release(patient, officer)
    client.force_login(officer)

    client.get(reverse("privacy:release", args=[patient.pk, release.pk]))
    assert outbound_renders == [], "checking a request must not render anything outbound"
    client.post(reverse("privacy:release", args=[patient.pk, release.pk]), {"action": "build"})

    assert [render["template"] for render in outbound_renders] == ["privacy/outbound/packet.html"]
    release.refresh_from_db()
    disclosure = Disclosure.objects.get()
    assert disclosure.document_sha256 == documents.sha256_hex(release.packet.read())
    assert Disclosure.objects.count() == outbound_renders[0]["disclosures_before"] + 1


@pytest.mark.django_db
def test_a_refused_request_renders_nothing_outbound(
    client: Client,
    record: Callable[..., Consent],
    patient: Patient,
    officer: User,
    outbound_renders: list[dict[str, Any]],
) -> None:
    consent = record(patient, ConsentKind.SPECIFIC)
    services.consent_revoke(actor=officer, consent=consent, revoked_on=TODAY, received_via="mail")
    release = _release(patient, officer)
    client.force_login(officer)

    client.post(reverse("privacy:release", args=[patient.pk, release.pk]), {"action": "build"})

    assert outbound_renders == []
    assert not Disclosure.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT) / "privacy" / "packets").glob("*"))
