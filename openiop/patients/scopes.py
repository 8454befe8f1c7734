# SPDX-License-Identifier: AGPL-3.0-or-later
"""Scope rules for records that belong to a patient, for ``register_scope``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

# Further ways a user reaches a patient beyond their sites, e.g. emergency
# ("break the glass") access: each takes the user and returns a queryset of
# patient primary keys.
_extra_reach: list[Callable[[Any], QuerySet[Any]]] = []


def register_patient_reach(reach: Callable[[Any], QuerySet[Any]]) -> None:
    """Let REACH(user) (patient pks) widen every patient scope rule, with OR."""
    if reach not in _extra_reach:
        _extra_reach.append(reach)


def at_users_sites(user: Any, prefix: str = "", *, extra_reach: bool = True) -> Q:
    """The rule "patient at the user's sites", written once for every scope
    rule and check that needs it: the patient's home site, or the site of any
    of their episodes, is one of USER's sites (a patient seen at two sites is
    visible at both); with EXTRA_REACH, also whom a registered reach grants
    (``register_patient_reach``: emergency access). PREFIX is the path from
    the model to the patient: "" for Patient, "patient__" for a record with a
    ``patient`` foreign key."""
    from openiop.patients.models import Episode

    sites = user.site_ids()
    # Episodes as a subquery, not a join: a join repeats a patient per episode,
    # and the DISTINCT that undoes it made PostgreSQL compare whole rows on
    # every scoped list (hundreds of ms on a dashboard at 10,000 patients).
    seen_at_sites = Episode.objects.filter(site__in=sites).values("patient_id")
    reach = Q(**{f"{prefix}site__in": sites}) | Q(**{f"{prefix}pk__in": seen_at_sites})
    if extra_reach:
        for extra in _extra_reach:
            reach |= Q(**{f"{prefix}pk__in": extra(user)})
    return reach


def patient_at_users_sites(prefix: str, *, extra_reach: bool = True) -> Any:
    """Scope rule: rows whose patient is at the user's sites (``at_users_sites``).
    PREFIX is the path from the model to the patient: "" for Patient,
    "patient__" for a record with a ``patient`` foreign key. Episodes are a
    subquery, so rows never repeat and need no DISTINCT;
    ``through_patient_at_users_sites`` puts the whole rule in a subquery, for
    rows that are locked with ``select_for_update``."""

    def rule(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
        return queryset.filter(at_users_sites(user, prefix, extra_reach=extra_reach))

    rule.__name__ = f"patient_at_users_sites({prefix or 'self'})"
    return rule


def through_patient_at_users_sites(patient_lookup: str) -> Any:
    """Scope rule: rows whose patient (reached through PATIENT_LOOKUP, e.g.
    "patient" or "specimen__patient") is at the user's sites or reached by a
    registered reach (``at_users_sites``). A subquery, not a join, so rows do
    not repeat and ``select_for_update`` still works."""

    def rule(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
        from openiop.patients.models import Patient

        patients = Patient.objects.filter(at_users_sites(user)).values("pk")
        return queryset.filter(**{f"{patient_lookup}__in": patients})

    rule.__name__ = f"through_patient_at_users_sites({patient_lookup})"
    return rule


# --- Need to know ------------------------------------------------------------------------------------------------

# A care team keeps reaching the clinical record for this long after discharge
# (continuing care, the discharge summary, late entries).
RECENT_DISCHARGE_DAYS = 90


def extra_reach_patients(user: Any) -> Q:
    """Q on a Patient for the registered reaches (emergency access)."""
    reach = Q(pk__in=[])
    for extra in _extra_reach:
        reach |= Q(pk__in=extra(user))
    return reach


def care_team_patients(user: Any) -> QuerySet[Any]:
    """Pks of patients whose active or recently discharged episode has USER
    on its care team (or as primary counsellor), or a person USER clinically
    supervises there."""
    import datetime as dt

    from django.utils import timezone

    from openiop.patients.models import Episode

    since = timezone.localdate() - dt.timedelta(days=RECENT_DISCHARGE_DAYS)
    on_team = (
        Q(care_team_members__user=user.pk)
        | Q(primary_counsellor=user.pk)
        | Q(care_team_members__user__clinical_supervisor=user.pk)
        | Q(primary_counsellor__clinical_supervisor=user.pk)
    )
    return (
        Episode.objects.filter(Q(status=Episode.Status.ACTIVE) | Q(discharge_date__gte=since))
        .filter(on_team)
        .values("patient_id")
    )


def reaches_whole_site(user: Any) -> bool:
    from openiop.core.access import has_action
    from openiop.patients.permissions import WHOLE_SITE

    return has_action(user, WHOLE_SITE)


def clinical_patients(user: Any) -> QuerySet[Any]:
    """Pks of the patients whose clinical record USER needs to know, by the
    need-to-know rule alone (the site rule applies besides): every patient of
    an organization with the setting off, else the care team's patients, and
    those opened with emergency access."""
    from openiop.patients.models import Patient

    return Patient.objects.filter(
        Q(organization__need_to_know=False) | Q(pk__in=care_team_patients(user)) | extra_reach_patients(user)
    ).values("pk")


def need_to_know(patient_lookup: str, *, own: str = "") -> Any:
    """Scope rule for clinical content (notes, plans, instruments, drug tests,
    medications): with the organization's need-to-know setting on, rows whose
    patient (reached through PATIENT_LOOKUP, e.g. "patient" or
    "episode__patient") the user is on the care team of, supervises someone
    on it, opened with emergency access, or any patient for whoever holds
    treatment.whole_site (the clinical director). OWN names the row's author
    field: an author always reads what they wrote. A subquery, not a join, so
    rows do not repeat and ``select_for_update`` locks only the row."""

    def rule(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
        if reaches_whole_site(user):
            return queryset
        reach = Q(**{f"{patient_lookup}__in": clinical_patients(user)})
        if own:
            reach |= Q(**{own: user.pk})
        return queryset.filter(reach)

    rule.__name__ = f"need_to_know({patient_lookup})"
    return rule


def site_or_extra_reach(site_lookup: str, patient_lookup: str) -> Any:
    """Rows at one of the user's sites (SITE_LOOKUP), or whose patient a
    registered reach grants (emergency access to a patient of another site)."""

    def rule(queryset: QuerySet[Any], user: Any, action: str) -> QuerySet[Any]:
        from openiop.patients.models import Patient

        reach = Q(**{f"{site_lookup}__in": user.site_ids()})
        if _extra_reach:
            reach |= Q(**{f"{patient_lookup}__in": Patient.objects.filter(extra_reach_patients(user)).values("pk")})
        return queryset.filter(reach)

    rule.__name__ = f"site_or_extra_reach({site_lookup})"
    return rule


def reaches_clinical_record(user: Any, patient: Any) -> bool:
    """Whether USER already reads PATIENT's clinical record: at their sites
    and, with need to know on, on the care team or allowed the whole site.
    Emergency access is for when this is False."""
    from openiop.patients.models import Patient

    if not Patient.objects.filter(pk=patient.pk).filter(at_users_sites(user, extra_reach=False)).exists():
        return False
    if reaches_whole_site(user):
        return True
    return (
        Patient.objects.filter(pk=patient.pk)
        .filter(Q(organization__need_to_know=False) | Q(pk__in=care_team_patients(user)))
        .exists()
    )
