# SPDX-License-Identifier: AGPL-3.0-or-later
"""What a note says was delivered, where and how: its service code (CPT or
HCPCS), its place of service (CMS place-of-service code set) and its
modality. Kept as data; plain functions, no database.

Codes (DOMAIN.md, Hours and billing rules): CPT psychotherapy 90832/90834/
90837 by minutes, 90846/90847 family, 90849 multiple-family group, 90853
group; HCPCS H0001 assessment, H0004 counseling per 15 minutes, H0005 group
counseling, H0006 case management, H2010 medication services per 15 minutes;
CPT 99212-99214 office visits of an established patient (prescribers).
Places of service: 57 non-residential substance abuse treatment facility, 58
non-residential opioid treatment facility, 53 community mental health center,
52 psychiatric facility partial hospitalization, 11 office, 02 telehealth
other than in the patient's home, 10 telehealth in the patient's home.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

IN_PERSON = "in_person"
VIDEO = "telehealth_video"
AUDIO_ONLY = "audio_only"

MODALITIES = (
    (IN_PERSON, _("In person")),
    (VIDEO, _("Telehealth, audio and video")),
    (AUDIO_ONLY, _("Telehealth, audio only")),
)

TELEHEALTH_PLACES = ("02", "10")
PLACES_OF_SERVICE = (
    ("57", _("57 Non-residential substance abuse treatment facility")),
    ("58", _("58 Non-residential opioid treatment facility")),
    ("53", _("53 Community mental health center")),
    ("52", _("52 Psychiatric facility, partial hospitalization")),
    ("11", _("11 Office")),
    ("10", _("10 Telehealth in the patient's home")),
    ("02", _("02 Telehealth other than in the patient's home")),
)

SERVICE_CODES = (
    ("90832", _("90832 Psychotherapy, 16-37 minutes")),
    ("90834", _("90834 Psychotherapy, 38-52 minutes")),
    ("90837", _("90837 Psychotherapy, 53 minutes or more")),
    ("90846", _("90846 Family psychotherapy without the patient")),
    ("90847", _("90847 Family psychotherapy with the patient")),
    ("90849", _("90849 Multiple-family group psychotherapy")),
    ("90853", _("90853 Group psychotherapy")),
    ("H0001", _("H0001 Alcohol and/or drug assessment")),
    ("H0004", _("H0004 Behavioral health counseling, per 15 minutes")),
    ("H0005", _("H0005 Alcohol and/or drug group counseling")),
    ("H0006", _("H0006 Alcohol and/or drug case management")),
    ("H2010", _("H2010 Comprehensive medication services, per 15 minutes")),
    ("99212", _("99212 Office visit, established patient, straightforward")),
    ("99213", _("99213 Office visit, established patient, low complexity")),
    ("99214", _("99214 Office visit, established patient, moderate complexity")),
)
SERVICE_CODE_VALUES = frozenset(code for code, _label in SERVICE_CODES)


def suggested_service_code(kind: str, minutes: int) -> str:
    """The code a note of KIND lasting MINUTES usually carries, or "" where
    the clinician must choose (medication management: the visit's level is
    the prescriber's call)."""
    if minutes < 0:
        raise ValueError(f"A session cannot last {minutes} minutes: its end is before its start.")
    if kind == "individual":
        if minutes >= 53:
            return "90837"
        if minutes >= 38:
            return "90834"
        return "90832" if minutes >= 16 else "H0004"
    if kind == "family":
        return "90847" if minutes >= 26 else "H0004"
    if kind == "group":
        return "H0005"
    if kind == "case_management":
        return "H0006"
    return ""


def suggested_place_of_service(modality: str) -> str:
    """In person: the program's facility (57). Telehealth: the patient's home
    (10), the usual case in outpatient care; 02 when the patient is elsewhere."""
    return "57" if modality == IN_PERSON else "10"


def coding_problems(*, service_code: str, modality: str, place_of_service: str) -> dict[str, str]:
    """Field -> why the combination cannot be right (empty when it can)."""
    problems: dict[str, str] = {}
    if service_code and service_code not in SERVICE_CODE_VALUES:
        problems["service_code"] = str(_("Choose a service code from the list."))
    telehealth_place = place_of_service in TELEHEALTH_PLACES
    if modality == IN_PERSON and telehealth_place:
        problems["place_of_service"] = str(
            _("Place of service 02 and 10 are for telehealth; an in-person session has the place it was held.")
        )
    elif modality in (VIDEO, AUDIO_ONLY) and place_of_service and not telehealth_place:
        problems["place_of_service"] = str(
            _("A telehealth session has place of service 10 (the patient at home) or 02 (elsewhere).")
        )
    return problems
