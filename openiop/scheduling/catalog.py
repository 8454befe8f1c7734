# SPDX-License-Identifier: AGPL-3.0-or-later
"""The services catalog, kept as data: what a program offers, how long each
service lasts by default and which billing codes it usually carries, plus the
Matrix Model's 16-week sequence.

Codes cite their code set and year. Which code a payer wants (H0005 or 90853 for
a group, a UB-04 revenue code) is CONFIGURABLE per payer: the codes here are the
defaults a biller starts from, never a decision the software takes for them.

No Django imports: the optimizer, the hours engine and the views all read this.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Citation:
    name: str
    year: int

    def __str__(self) -> str:
        return f"{self.name}, {self.year}"


HCPCS = Citation("HCPCS Level II", 2025)
CPT = Citation("CPT (AMA)", 2025)
MATRIX_MODEL = Citation("Matrix Intensive Outpatient Treatment for People With Stimulant Use Disorders (SAMHSA)", 2006)


class Kind(enum.Enum):
    GROUP = "group"
    INDIVIDUAL = "individual"
    FAMILY = "family"
    MEDICATION = "medication"
    DRUG_TEST = "drug_test"


class Topic(enum.Enum):
    """Group topics. The first seven are the IOP group topics; the last three
    are the Matrix Model's own groups (relapse prevention is shared)."""

    ADDICTION_EDUCATION = "addiction_education"
    RELAPSE_PREVENTION = "relapse_prevention"
    STRESS_MANAGEMENT = "stress_management"
    COPING_SKILLS = "coping_skills"
    LIFE_SKILLS = "life_skills"
    INTERPERSONAL_PROCESS = "interpersonal_process"
    SUPPORT = "support"
    EARLY_RECOVERY_SKILLS = "early_recovery_skills"
    FAMILY_EDUCATION = "family_education"
    SOCIAL_SUPPORT = "social_support"

    @property
    def label(self) -> str:
        return TOPIC_LABELS[self]


TOPIC_LABELS: Mapping[Topic, str] = MappingProxyType(
    {
        Topic.ADDICTION_EDUCATION: "Addiction education",
        Topic.RELAPSE_PREVENTION: "Relapse prevention",
        Topic.STRESS_MANAGEMENT: "Stress management",
        Topic.COPING_SKILLS: "Coping skills",
        Topic.LIFE_SKILLS: "Life skills",
        Topic.INTERPERSONAL_PROCESS: "Interpersonal process",
        Topic.SUPPORT: "Support",
        Topic.EARLY_RECOVERY_SKILLS: "Early recovery skills",
        Topic.FAMILY_EDUCATION: "Family education",
        Topic.SOCIAL_SUPPORT: "Social support",
    }
)


@dataclass(frozen=True)
class BillingCode:
    code: str
    description: str
    code_set: Citation
    per: str  # "session", "day", "15 minutes", "date of service"


@dataclass(frozen=True)
class Service:
    """One service the program offers. ``codes`` are the defaults in order of
    preference; a payer profile may pick another."""

    key: str
    name: str
    kind: Kind
    default_minutes: int
    codes: tuple[BillingCode, ...]
    topic: Topic | None = None
    with_patient: bool = True  # False for family therapy without the patient
    counts_towards_hours: bool = True  # a specimen collection is not treatment time


def _code(code: str, description: str, code_set: Citation, per: str = "session") -> BillingCode:
    return BillingCode(code, description, code_set, per)


H0005 = _code("H0005", "Alcohol and/or drug services; group counseling by a clinician", HCPCS)
CPT_90853 = _code("90853", "Group psychotherapy (other than of a multiple-family group)", CPT)
CPT_90832 = _code("90832", "Psychotherapy, 30 minutes (16-37 minutes)", CPT)
CPT_90834 = _code("90834", "Psychotherapy, 45 minutes (38-52 minutes)", CPT)
CPT_90837 = _code("90837", "Psychotherapy, 60 minutes (53 minutes or more)", CPT)
CPT_90846 = _code("90846", "Family psychotherapy without the patient present", CPT)
CPT_90847 = _code("90847", "Family psychotherapy (conjoint) with the patient present", CPT)
CPT_90849 = _code("90849", "Multiple-family group psychotherapy", CPT)
H0016 = _code(
    "H0016", "Alcohol and/or drug services; medical/somatic (medical intervention in ambulatory setting)", HCPCS
)
H0048 = _code("H0048", "Alcohol and other drug testing: collection and handling of specimens", HCPCS)
CPT_80305 = _code(
    "80305", "Presumptive drug class screening, direct optical observation (dipsticks, cups)", CPT, "date of service"
)
CPT_80306 = _code("80306", "Presumptive drug class screening, read by instrument chemistry", CPT, "date of service")
CPT_80307 = _code("80307", "Presumptive drug class screening, instrument chemistry analysers", CPT, "date of service")

GROUP_MINUTES = 90


def _group(topic: Topic) -> Service:
    return Service(
        key=f"group_{topic.value}",
        name=f"{topic.label} group",
        kind=Kind.GROUP,
        default_minutes=GROUP_MINUTES,
        codes=(H0005, CPT_90853),
        topic=topic,
    )


GROUP_SERVICES: tuple[Service, ...] = (
    *(_group(topic) for topic in Topic if topic is not Topic.FAMILY_EDUCATION),
    # The Matrix family education group is a multiple-family group.
    Service(
        key="group_family_education",
        name="Family education group",
        kind=Kind.GROUP,
        default_minutes=GROUP_MINUTES,
        codes=(CPT_90849, H0005),
        topic=Topic.FAMILY_EDUCATION,
    ),
)

INDIVIDUAL_THERAPY = Service(
    key="individual_therapy",
    name="Individual therapy",
    kind=Kind.INDIVIDUAL,
    default_minutes=50,
    codes=(CPT_90834, CPT_90837, CPT_90832),
)
FAMILY_WITH_PATIENT = Service(
    key="family_with_patient",
    name="Family therapy with the patient",
    kind=Kind.FAMILY,
    default_minutes=50,
    codes=(CPT_90847,),
)
FAMILY_WITHOUT_PATIENT = Service(
    key="family_without_patient",
    name="Family therapy without the patient",
    kind=Kind.FAMILY,
    default_minutes=50,
    codes=(CPT_90846,),
    with_patient=False,
    counts_towards_hours=False,
)
MEDICATION_MANAGEMENT = Service(
    key="medication_management",
    name="Medication management",
    kind=Kind.MEDICATION,
    default_minutes=20,
    # Prescribers often bill evaluation and management codes instead; CONFIGURABLE per payer.
    codes=(H0016,),
)
DRUG_TEST = Service(
    key="drug_test",
    name="Drug test (specimen collection)",
    kind=Kind.DRUG_TEST,
    default_minutes=10,
    codes=(H0048, CPT_80305),
    counts_towards_hours=False,
)

SERVICES: Mapping[str, Service] = MappingProxyType(
    {
        service.key: service
        for service in (
            *GROUP_SERVICES,
            INDIVIDUAL_THERAPY,
            FAMILY_WITH_PATIENT,
            FAMILY_WITHOUT_PATIENT,
            MEDICATION_MANAGEMENT,
            DRUG_TEST,
        )
    }
)


def get_service(key: str) -> Service:
    try:
        return SERVICES[key]
    except KeyError:
        raise KeyError(f"unknown service {key!r}; known: {', '.join(sorted(SERVICES))}") from None


def group_service(topic: Topic) -> Service:
    return SERVICES[f"group_{topic.value}"]


def psychotherapy_code(minutes: int) -> BillingCode | None:
    """The CPT psychotherapy code for a session of ``minutes`` face-to-face
    minutes (CPT time ranges: 16-37, 38-52, 53 and more); None below 16."""
    if minutes >= 53:
        return CPT_90837
    if minutes >= 38:
        return CPT_90834
    if minutes >= 16:
        return CPT_90832
    return None


# --- Matrix Model ----------------------------------------------------------------------------------------------------

MATRIX_WEEKS = 16


@dataclass(frozen=True)
class MatrixComponent:
    """``per_week`` sessions of ``service`` in each week from ``first_week`` to
    ``last_week`` (both included). ``topic`` is None for non-group components."""

    service: Service
    first_week: int
    last_week: int
    per_week: int

    @property
    def topic(self) -> Topic | None:
        return self.service.topic


MATRIX_CURRICULUM: tuple[MatrixComponent, ...] = (
    MatrixComponent(group_service(Topic.EARLY_RECOVERY_SKILLS), 1, 4, 2),
    MatrixComponent(group_service(Topic.RELAPSE_PREVENTION), 1, 16, 2),
    MatrixComponent(group_service(Topic.FAMILY_EDUCATION), 1, 12, 1),
    MatrixComponent(group_service(Topic.SOCIAL_SUPPORT), 13, 16, 1),
    # Weekly random urine (and breath) tests.
    MatrixComponent(DRUG_TEST, 1, 16, 1),
)


def matrix_sessions(week: int) -> dict[Service, int]:
    """Services (and how many of each) the Matrix Model asks for in program week
    ``week`` (1-16). Individual and conjoint sessions are planned separately."""
    if not 1 <= week <= MATRIX_WEEKS:
        raise ValueError(f"Matrix Model week must be between 1 and {MATRIX_WEEKS}, not {week}")
    return {
        component.service: component.per_week
        for component in MATRIX_CURRICULUM
        if component.first_week <= week <= component.last_week
    }


def matrix_topics(week: int) -> dict[Topic, int]:
    """The group topics (and how many sessions of each) required in Matrix week ``week``."""
    return {service.topic: count for service, count in matrix_sessions(week).items() if service.topic is not None}
