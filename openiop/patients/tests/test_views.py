# SPDX-License-Identifier: AGPL-3.0-or-later
"""The patient pages, driven as the personas of conftest.py: Alice (administrator)
and Bob (clinician) at North, Charlie (administrator) at South only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.core.roles import RoleCode
from openiop.patients import services
from openiop.patients.models import Episode, LevelOfCare, Patient
from openiop.patients.tests.factories import TODAY, register, signed_in
from openiop.sites.models import Site


def admit(patient: Patient, site: Site, actor: User, **extra: Any) -> Episode:
    return services.episode_admit(actor=actor, patient=patient, site=site, admission_date=TODAY, **extra)


def form_data(site: Site | None = None, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "legal_first_name": "Aisha",
        "legal_last_name": "Johnson",
        "preferred_name": "",
        "birth_date": "1990-04-12",
        "sex_at_birth": "female",
        "gender_identity": "",
        "pronouns": "she/her",
        "language": "English",
        "phone": "(617) 555-0177",
        "email": "",
        "street": "",
        "city": "",
        "state": "",
        "zip_code": "",
    }
    if site is not None:
        data["site"] = site.pk
    data.update(overrides)
    return data


def possible_matches(response: Any) -> str:
    """The HTML of the 'Possible matches' notice (the form beside it echoes
    what was typed, so assertions about leaks look only here)."""
    html = response.content.decode()
    start = html.index('<section class="notice"')
    return html[start : html.index("</section>", start)]


# --- Register ----------------------------------------------------------------------------------------------------


def test_registering_creates_the_chart_and_opens_it(client: Client, bob: User, north: Site) -> None:
    response = signed_in(client, bob).post(reverse("patients:register"), form_data(north))

    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[patient.pk])
    assert (patient.site, patient.organization, patient.mrn) == (north, north.organization, "TR-000001")
    assert (patient.legal_last_name, patient.birth_date, patient.version) == ("Johnson", dt.date(1990, 4, 12), 1)


def test_the_home_site_must_be_one_of_the_users_sites(client: Client, bob: User, south: Site) -> None:
    response = signed_in(client, bob).post(reverse("patients:register"), form_data(south))

    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("2026-03-06", "The date of birth is in the future."),
        ("1915-03-04", "That makes the person older than 110; check the year."),
        ("2016-03-06", "That makes the person younger than 10; check the year."),
    ],
    ids=["tomorrow", "over-110", "under-10"],
)
def test_an_implausible_date_of_birth_is_refused_beside_the_field_and_nothing_is_saved(
    client: Client, bob: User, north: Site, birth_date: str, message: str
) -> None:
    response = signed_in(client, bob).post(reverse("patients:register"), form_data(north, birth_date=birth_date))

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [message]
    assert f'<small class="field-error" id="id_birth_date_error">{message}</small>' in response.content.decode()
    assert not Patient.objects.exists()


def test_the_same_phone_number_stops_registration_until_confirmed(client: Client, bob: User, north: Site) -> None:
    existing = register(north, legal_first_name="Keisha", legal_last_name="Moore", phone="617.555.0177")

    response = signed_in(client, bob).post(reverse("patients:register"), form_data(north, phone="555-0177"))

    assert response.status_code == 200
    assert "This may be someone already registered" in response.content.decode()
    assert response.context["check"].openable == [existing]
    matches = possible_matches(response)
    assert "Keisha Moore" in matches
    assert reverse("patients:chart", args=[existing.pk]) in matches
    assert Patient.objects.count() == 1


def test_the_same_name_and_date_of_birth_stops_registration_until_confirmed(
    client: Client, bob: User, north: Site
) -> None:
    existing = register(north, legal_first_name="Aisha", legal_last_name="Johnson", birth_date=dt.date(1990, 4, 12))

    response = signed_in(client, bob).post(reverse("patients:register"), form_data(north, legal_first_name="AISHA"))

    assert response.context["check"].openable == [existing]
    assert existing.mrn in possible_matches(response)
    assert Patient.objects.count() == 1


def test_confirming_it_is_a_different_person_registers_anyway(client: Client, bob: User, north: Site) -> None:
    existing = register(north, legal_first_name="Aisha", legal_last_name="Johnson", birth_date=dt.date(1990, 4, 12))

    response = signed_in(client, bob).post(reverse("patients:register"), form_data(north, confirm_not_duplicate="on"))

    assert response.status_code == 302
    created = Patient.objects.exclude(pk=existing.pk).get()
    assert (created.legal_first_name, created.mrn) == ("Aisha", "TR-000002")


def test_a_match_at_another_site_shows_only_whom_to_ask_never_the_person(
    client: Client, bob: User, north: Site, south: Site
) -> None:
    south.phone = "312-555-0199"
    south.save()
    elsewhere = register(
        south,
        legal_first_name="Aisha",
        legal_last_name="Johnson",
        birth_date=dt.date(1990, 4, 12),
        phone="312-555-0100",
        street="9 Lake Shore Drive",
    )
    by_phone = register(south, legal_first_name="Tyrone", legal_last_name="Walker", phone="312-555-0177")

    response = signed_in(client, bob).post(reverse("patients:register"), form_data(north))

    matches = possible_matches(response)
    check = response.context["check"]
    assert (check.openable, check.ask_sites, check.hidden_count) == ([], [south], 2)
    assert "This may be someone already registered" in response.content.decode()
    assert matches.count("A possible match exists at another site of this organization") == 1
    assert "ask South Site (312-555-0199) before registering" in matches
    for secret in [elsewhere.mrn, by_phone.mrn, "Aisha", "Johnson", "1990-04-12", "Tyrone", "Walker", "Lake Shore"]:
        assert secret not in matches
    assert reverse("patients:chart", args=[elsewhere.pk]) not in matches
    body = response.content.decode()
    assert "Tyrone" not in body and elsewhere.mrn not in body and by_phone.mrn not in body
    assert Patient.objects.count() == 2


def test_a_site_without_a_phone_is_named_as_the_one_to_ask(client: Client, bob: User, north: Site, south: Site) -> None:
    register(south, legal_first_name="Aisha", legal_last_name="Johnson", birth_date=dt.date(1990, 4, 12))

    response = signed_in(client, bob).post(reverse("patients:register"), form_data(north, phone=""))

    assert "ask South Site before registering" in possible_matches(response)


def test_each_duplicate_check_is_audited_with_ids_and_sites_but_no_names(
    client: Client, bob: User, north: Site, south: Site
) -> None:
    mine = register(north, legal_first_name="Aisha", legal_last_name="Johnson", birth_date=dt.date(1990, 4, 12))
    theirs = register(south, legal_first_name="Other", legal_last_name="Person", phone="617-555-0177")

    signed_in(client, bob).post(reverse("patients:register"), form_data(north))

    event = AuditEvent.objects.get(action="patients.duplicate_check")
    assert (event.actor_id, event.site_id) == (bob.pk, north.pk)
    assert event.data == {
        "by_phone": True,
        "openable_patient_ids": [mine.pk],
        "elsewhere_site_ids": [south.pk],
        "elsewhere_matches": 1,
    }
    logged = str(event.data) + event.object_repr
    for secret in ["Aisha", "Johnson", "Other", "Person", theirs.mrn, "0177"]:
        assert secret not in logged


def test_duplicate_checks_are_rate_limited_per_user_and_nothing_typed_is_lost(
    client: Client, bob: User, persona: Callable[..., User], north: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openiop.patients import views

    monkeypatch.setattr(views, "DUPLICATE_CHECK_RATES", ("2/h",))
    register(north, legal_first_name="Aisha", legal_last_name="Johnson", birth_date=dt.date(1990, 4, 12))
    bobs = signed_in(client, bob)
    for _attempt in range(2):
        assert bobs.post(reverse("patients:register"), form_data(north)).status_code == 200

    refused = bobs.post(reverse("patients:register"), form_data(north, legal_first_name="Probe"))

    assert refused.status_code == 429
    assert "registering is paused" in refused.content.decode()
    assert refused.context["form"]["legal_first_name"].value() == "Probe"
    assert not refused.context["check"].found
    assert AuditEvent.objects.filter(action="patients.duplicate_check").count() == 2
    assert AuditEvent.objects.filter(action="patients.duplicate_check.limited", actor_id=bob.pk).count() == 1
    # The limit is Bob's, not the desk's: a colleague still checks.
    colleague = Client()
    colleague.force_login(persona(RoleCode.CLINICIAN))
    assert colleague.post(reverse("patients:register"), form_data(north)).status_code == 200


# --- Chart -------------------------------------------------------------------------------------------------------


def test_reading_a_chart_is_audited_with_the_patient(client: Client, bob: User, north: Site) -> None:
    patient = register(north)

    response = signed_in(client, bob).get(reverse("patients:chart", args=[patient.pk]))

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="record.read")
    assert (event.actor_id, event.patient_id, event.site_id) == (bob.pk, str(patient.pk), north.pk)
    assert (event.object_type, event.object_id) == ("patients.patient", str(patient.pk))


@pytest.mark.parametrize(
    ("tab", "heading"),
    [
        ("overview", "Legal name"),
        ("episodes", "Episodes of care"),
        ("contacts", "Emergency contacts"),
        ("x", "Legal name"),
    ],
)
def test_the_chart_shows_the_tab_asked_for(client: Client, bob: User, north: Site, tab: str, heading: str) -> None:
    patient = register(north)
    admit(patient, north, bob, primary_counsellor=bob)
    patient.emergency_contacts.create(name="Ana Garcia", relation="sister", phone="555-0150")

    response = signed_in(client, bob).get(reverse("patients:chart", args=[patient.pk]), {"tab": tab})

    assert response.status_code == 200
    assert heading in response.content.decode()
    assert response.context["tab"] == (tab if tab != "x" else "overview")


def test_every_tab_read_is_audited(client: Client, bob: User, north: Site) -> None:
    patient = register(north)
    signed_in(client, bob)

    for tab in ["overview", "episodes", "contacts"]:
        client.get(reverse("patients:chart", args=[patient.pk]), {"tab": tab})

    assert AuditEvent.objects.filter(action="record.read", patient_id=str(patient.pk)).count() == 3


# --- Edit and optimistic locking --------------------------------------------------------------------------------


def test_the_edit_form_carries_the_version_it_started_from(client: Client, bob: User, north: Site) -> None:
    patient = register(north)
    services.patient_update(patient=patient, expected_version=1, preferred_name="Mari")

    response = signed_in(client, bob).get(reverse("patients:edit", args=[patient.pk]))

    assert '<input type="hidden" name="version" value="2"' in response.content.decode()


def test_of_two_edits_from_the_same_version_the_second_is_refused_and_the_first_stands(
    client: Client, bob: User, persona: Callable[..., User], north: Site
) -> None:
    patient = register(north, phone="617-555-0000")
    nurse = persona(RoleCode.NURSE)
    url = reverse("patients:edit", args=[patient.pk])
    first, second = Client(), Client()
    first.force_login(bob)
    second.force_login(nurse)

    saved = first.post(url, form_data(phone="617-555-1111", version=1))
    refused = second.post(url, form_data(phone="617-555-2222", pronouns="they/them", version=1))

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "Someone else changed this record while you were editing. Your changes were not saved" in (
        refused.content.decode()
    )
    patient.refresh_from_db()
    assert (patient.phone, patient.pronouns, patient.version) == ("617-555-1111", "she/her", 2)


def test_an_edit_without_a_version_is_refused(client: Client, bob: User, north: Site) -> None:
    patient = register(north)

    response = signed_in(client, bob).post(reverse("patients:edit", args=[patient.pk]), form_data(phone="555-9999"))

    assert "Someone else changed this record" in response.content.decode()
    patient.refresh_from_db()
    assert patient.version == 1


def test_an_edit_to_an_implausible_date_of_birth_is_refused_beside_the_field(
    client: Client, bob: User, north: Site
) -> None:
    patient = register(north)

    response = signed_in(client, bob).post(
        reverse("patients:edit", args=[patient.pk]), form_data(birth_date="2030-01-01", version=1)
    )

    assert response.context["form"].errors["birth_date"] == ["The date of birth is in the future."]
    patient.refresh_from_db()
    assert (patient.birth_date, patient.version) == (dt.date(1985, 6, 1), 1)


def test_the_edit_form_cannot_move_a_patient_to_another_home_site(
    client: Client, bob: User, north: Site, south: Site
) -> None:
    patient = register(north)

    signed_in(client, bob).post(reverse("patients:edit", args=[patient.pk]), form_data(south, version=1))

    patient.refresh_from_db()
    assert (patient.site, patient.version) == (north, 2)


# --- Admit -------------------------------------------------------------------------------------------------------


def test_admitting_from_the_chart_opens_an_episode_and_audits_it(client: Client, bob: User, north: Site) -> None:
    patient = register(north)

    response = signed_in(client, bob).post(
        reverse("patients:admit", args=[patient.pk]),
        {
            "site": north.pk,
            "program": Episode.Program.MATRIX,
            "admission_date": "2026-03-05",
            "level_of_care": LevelOfCare.IOP,
            "primary_counsellor": bob.pk,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[patient.pk]) + "?tab=episodes"
    episode = patient.episodes.get()
    assert (episode.program, episode.status, episode.primary_counsellor) == ("matrix", "active", bob)
    event = AuditEvent.objects.get(action="episode.admit")
    assert (event.actor_id, event.patient_id, event.object_id) == (bob.pk, str(patient.pk), str(episode.pk))


def test_a_second_admission_while_one_is_active_is_refused_with_a_message(
    client: Client, bob: User, north: Site
) -> None:
    patient = register(north)
    admit(patient, north, bob)

    response = signed_in(client, bob).post(
        reverse("patients:admit", args=[patient.pk]),
        {"site": north.pk, "program": "adult_iop", "admission_date": "2026-03-05", "level_of_care": "2.5"},
    )

    assert response.status_code == 200
    assert "This person already has an active episode; discharge it before admitting again." in (
        response.content.decode()
    )
    assert patient.episodes.count() == 1


def test_a_counsellor_from_another_site_cannot_be_made_primary(
    client: Client, bob: User, persona: Callable[..., User], north: Site, south: Site
) -> None:
    patient = register(north)
    southerner = persona(RoleCode.CLINICIAN, site=south)

    response = signed_in(client, bob).post(
        reverse("patients:admit", args=[patient.pk]),
        {
            "site": north.pk,
            "program": "adult_iop",
            "admission_date": "2026-03-05",
            "level_of_care": "2.1",
            "primary_counsellor": southerner.pk,
        },
    )

    assert "primary_counsellor" in response.context["form"].errors
    assert not patient.episodes.exists()


# --- List --------------------------------------------------------------------------------------------------------


def test_the_list_shows_the_users_care_team_patients_first(client: Client, bob: User, north: Site) -> None:
    register(north, legal_first_name="Aaron", legal_last_name="Abbott")
    zoe = register(north, legal_first_name="Zoe", legal_last_name="Zimmer")
    admit(zoe, north, bob, primary_counsellor=bob)

    response = signed_in(client, bob).get(reverse("patients:list"))

    names = [patient.display_name for patient in response.context["page"]]
    assert names == ["Zoe Zimmer", "Aaron Abbott"]
    html = response.content.decode()
    assert html.index("Zoe Zimmer") < html.index("Aaron Abbott")
    assert "<strong>Yours</strong>" in html


def test_the_list_searches_by_name(client: Client, bob: User, north: Site) -> None:
    register(north, legal_first_name="Aaron", legal_last_name="Abbott")
    register(north, legal_first_name="Zoe", legal_last_name="Zimmer")

    response = signed_in(client, bob).get(reverse("patients:list"), {"q": "zim"})

    assert [p.legal_last_name for p in response.context["page"]] == ["Zimmer"]


def test_the_list_page_makes_a_fixed_number_of_queries(
    client: Client, bob: User, persona: Callable[..., User], north: Site, django_assert_max_num_queries: Any
) -> None:
    other = persona(RoleCode.CLINICIAN)
    for n in range(30):
        patient = register(north, legal_first_name=f"Person{n:02d}", pronouns="they/them")
        if n % 3 == 0:
            admit(patient, north, bob if n % 2 else other, primary_counsellor=bob if n % 2 else other)
    signed_in(client, bob)

    # Session, user, the user's actions and sites, count and page, session save: the same for 3 or 300 rows.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("patients:list"))

    assert response.status_code == 200
    assert len(response.context["page"]) == 30


# --- Personas and access -----------------------------------------------------------------------------------------


def test_bob_sees_north_patients_and_not_south_ones(client: Client, bob: User, north: Site, south: Site) -> None:
    at_north = register(north, legal_first_name="Norma")
    register(south, legal_first_name="Sonia")

    response = signed_in(client, bob).get(reverse("patients:list"))

    assert list(response.context["page"]) == [at_north]
    assert "Sonia" not in response.content.decode()


def test_bob_gets_404_on_a_south_chart_and_the_attempt_is_audited(client: Client, bob: User, south: Site) -> None:
    at_south = register(south)

    response = signed_in(client, bob).get(reverse("patients:chart", args=[at_south.pk]))

    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="access.denied")
    assert (denied.actor_id, denied.patient_id, denied.data["action"]) == (bob.pk, str(at_south.pk), "patients.view")
    assert not AuditEvent.objects.filter(action="record.read").exists()


@pytest.mark.parametrize("page", ["patients:edit", "patients:admit"])
def test_bob_gets_404_on_south_forms_and_changes_nothing(client: Client, bob: User, south: Site, page: str) -> None:
    at_south = register(south)
    signed_in(client, bob)

    assert client.get(reverse(page, args=[at_south.pk])).status_code == 404
    response = client.post(reverse(page, args=[at_south.pk]), form_data(version=1, admission_date="2026-03-05"))

    assert response.status_code == 404
    at_south.refresh_from_db()
    assert (at_south.version, at_south.episodes.count()) == (1, 0)


def test_charlie_at_south_cannot_open_a_north_chart(client: Client, charlie: User, north: Site) -> None:
    at_north = register(north)

    response = signed_in(client, charlie).get(reverse("patients:chart", args=[at_north.pk]))

    assert response.status_code == 404


def test_a_south_patient_in_treatment_at_north_is_visible_to_north_staff(
    client: Client, bob: User, charlie: User, north: Site, south: Site
) -> None:
    patient = register(south, legal_first_name="Travelling")
    admit(patient, north, bob)

    signed_in(client, bob)
    assert list(client.get(reverse("patients:list")).context["page"]) == [patient]
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 200
    # The home site keeps seeing its patient too.
    signed_in(client, charlie)
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 200


def test_front_desk_can_view_but_not_admit(client: Client, persona: Callable[..., User], north: Site) -> None:
    patient = register(north)
    signed_in(client, persona(RoleCode.FRONT_DESK))

    assert client.get(reverse("patients:list")).status_code == 200
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 200
    assert client.get(reverse("patients:admit", args=[patient.pk])).status_code == 403
    response = client.post(
        reverse("patients:admit", args=[patient.pk]),
        {"site": north.pk, "program": "adult_iop", "admission_date": "2026-03-05", "level_of_care": "2.1"},
    )

    assert response.status_code == 403
    assert not patient.episodes.exists()
    assert AuditEvent.objects.filter(action="access.denied", data__action="episodes.manage").count() == 2


def test_billing_can_view_but_not_register_or_edit(client: Client, persona: Callable[..., User], north: Site) -> None:
    patient = register(north)
    signed_in(client, persona(RoleCode.BILLING_SPECIALIST))

    assert client.get(reverse("patients:list")).status_code == 200
    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 200
    assert client.get(reverse("patients:register")).status_code == 403
    assert client.post(reverse("patients:edit", args=[patient.pk]), form_data(version=1)).status_code == 403


def test_a_navigator_can_register_and_open_the_new_chart_but_not_admit(
    client: Client, persona: Callable[..., User], north: Site
) -> None:
    signed_in(client, persona(RoleCode.ADMISSIONS_NAVIGATOR))

    response = client.post(reverse("patients:register"), form_data(north), follow=True)

    patient = Patient.objects.get()
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("patients:chart", args=[patient.pk]), 302)]
    assert client.get(reverse("patients:admit", args=[patient.pk])).status_code == 403


def test_an_administrator_can_read_charts_but_not_register(client: Client, alice: User, north: Site) -> None:
    patient = register(north)
    signed_in(client, alice)

    assert client.get(reverse("patients:chart", args=[patient.pk])).status_code == 200
    assert client.get(reverse("patients:register")).status_code == 403


@pytest.mark.parametrize(
    ("role", "edit_link", "admit_link"),
    [(RoleCode.CLINICIAN, True, True), (RoleCode.FRONT_DESK, True, False), (RoleCode.BILLING_SPECIALIST, False, False)],
)
def test_the_chart_links_only_to_what_the_reader_may_do(
    client: Client, persona: Callable[..., User], north: Site, role: str, edit_link: bool, admit_link: bool
) -> None:
    patient = register(north)
    signed_in(client, persona(role))

    overview = client.get(reverse("patients:chart", args=[patient.pk])).content.decode()
    episodes = client.get(reverse("patients:chart", args=[patient.pk]), {"tab": "episodes"}).content.decode()

    assert (reverse("patients:edit", args=[patient.pk]) in overview) is edit_link
    assert (reverse("patients:admit", args=[patient.pk]) in overview) is admit_link
    assert (reverse("patients:admit", args=[patient.pk]) in episodes) is admit_link


def test_the_admit_link_disappears_while_an_episode_is_active(client: Client, bob: User, north: Site) -> None:
    patient = register(north)
    admit(patient, north, bob)

    overview = signed_in(client, bob).get(reverse("patients:chart", args=[patient.pk])).content.decode()

    assert reverse("patients:admit", args=[patient.pk]) not in overview
    assert reverse("patients:edit", args=[patient.pk]) in overview


@pytest.mark.parametrize(
    ("role", "shown"), [(RoleCode.ADMISSIONS_NAVIGATOR, True), (RoleCode.BILLING_SPECIALIST, False)]
)
def test_the_list_offers_registration_only_to_those_who_may_register(
    client: Client, persona: Callable[..., User], role: str, shown: bool
) -> None:
    html = signed_in(client, persona(role)).get(reverse("patients:list")).content.decode()

    assert (reverse("patients:register") in html) is shown


@pytest.mark.parametrize(
    "page", ["patients:list", "patients:register", "patients:chart", "patients:edit", "patients:admit"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client: Client, north: Site, page: str) -> None:
    patient = register(north)
    url = reverse(page) if page in {"patients:list", "patients:register"} else reverse(page, args=[patient.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(action="record.read").exists()
