# SPDX-License-Identifier: AGPL-3.0-or-later
"""The vocabulary of placement: the six dimensions and the IOP-fit questions.
The levels of care are data, in the rule set."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

RATINGS = range(5)  # every dimension is rated for risk 0-4


def gettext_noop(message: str) -> str:
    """Mark text for translation without importing Django: ``makemessages`` finds
    these calls, and templates translate the value when they show it."""
    return message


# --- Dimensions ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    number: int
    name: str  # as the ASAM Criteria, 3rd edition (2013) names it
    short: str
    guidance: tuple[str, ...]  # what each rating 0-4 means, in our own words

    def __post_init__(self) -> None:
        if len(self.guidance) != len(RATINGS):
            raise ValueError(f"dimension {self.number}: guidance needs one text per rating 0-4")


DIMENSIONS: tuple[Dimension, ...] = (
    Dimension(
        1,
        gettext_noop("Acute intoxication and/or withdrawal potential"),
        gettext_noop("Intoxication/withdrawal"),
        (
            gettext_noop("Not intoxicated, and no signs or expected risk of withdrawal."),
            gettext_noop(
                "Mild intoxication or mild withdrawal that is easing or expected to stay mild; no history of "
                "complicated withdrawal. Manageable without extra monitoring."
            ),
            gettext_noop(
                "Moderate withdrawal, or a risk of it (for example a moderate CIWA-Ar or COWS), without past "
                "seizures or delirium. Needs withdrawal management with regular on-site checks."
            ),
            gettext_noop(
                "Severe withdrawal, or a high risk of severe or complicated withdrawal (past seizures or delirium "
                "tremens, heavy daily alcohol or sedative use). Needs 24-hour medically monitored withdrawal "
                "management."
            ),
            gettext_noop(
                "Dangerous intoxication or withdrawal now: seizures, delirium, unstable vital signs or overdose. "
                "Needs hospital care immediately."
            ),
        ),
    ),
    Dimension(
        2,
        gettext_noop("Biomedical conditions and complications"),
        gettext_noop("Biomedical"),
        (
            gettext_noop("No physical health problems, or problems that are stable and do not affect treatment."),
            gettext_noop("Mild health problems that are stable and looked after by the person's own doctor."),
            gettext_noop(
                "Health problems that need attention and could get in the way of treatment (for example poorly "
                "controlled diabetes, pregnancy, chronic pain). Coordinate with medical care."
            ),
            gettext_noop(
                "Serious health problems that are poorly controlled or need regular nursing or medical monitoring; "
                "the person cannot manage them alone."
            ),
            gettext_noop("An acute, unstable medical condition that needs round-the-clock hospital care."),
        ),
    ),
    Dimension(
        3,
        gettext_noop("Emotional, behavioral or cognitive conditions"),
        gettext_noop("Emotional/behavioral/cognitive"),
        (
            gettext_noop("No mental health symptoms, or symptoms that are stable and do not get in the way."),
            gettext_noop(
                "Mild symptoms (low mood, worry, poor sleep) that cause little difficulty; the person can take "
                "part fully."
            ),
            gettext_noop(
                "Moderate symptoms, or a co-occurring condition that needs treatment alongside substance use "
                "treatment; some difficulty with daily life."
            ),
            gettext_noop(
                "Severe symptoms that seriously limit daily life or taking part, or thoughts of suicide or violence "
                "without intent or plan. Needs close follow-up, a safety plan and daily structure."
            ),
            gettext_noop(
                "Immediate danger: suicidal or violent intent or plan, psychosis, or unable to care for self. Needs "
                "emergency or inpatient psychiatric care now (988 or 911)."
            ),
        ),
    ),
    Dimension(
        4,
        gettext_noop("Readiness to change"),
        gettext_noop("Readiness"),
        (
            gettext_noop("Engaged and committed to change; takes part willingly."),
            gettext_noop("Willing to take part, but unsure about some goals or about needing to change."),
            gettext_noop(
                "Ambivalent or passive; here mainly because of outside pressure (family, work, court) and needs "
                "motivational work."
            ),
            gettext_noop("Does not see a problem or a need to change; unlikely to take part without intensive effort."),
            gettext_noop("Refuses treatment despite serious, immediate consequences of continued use."),
        ),
    ),
    Dimension(
        5,
        gettext_noop("Relapse, continued use or continued problem potential"),
        gettext_noop("Relapse potential"),
        (
            gettext_noop("No current risk of use or relapse; has solid coping skills."),
            gettext_noop("Some risk of relapse; knows the triggers and has coping skills, helped by regular support."),
            gettext_noop(
                "A clear risk of relapse or continued use, with limited coping skills; needs frequent, structured "
                "treatment to build them."
            ),
            gettext_noop(
                "A high risk: continued use despite consequences, strong cravings, or relapse soon after treatment; "
                "cannot cope without close daily support."
            ),
            gettext_noop(
                "Continued use with imminently dangerous consequences, and no ability to stop without a 24-hour "
                "structured setting."
            ),
        ),
    ),
    Dimension(
        6,
        gettext_noop("Recovery/living environment"),
        gettext_noop("Recovery environment"),
        (
            gettext_noop("A safe, stable home and people around who support recovery."),
            gettext_noop("A mostly supportive environment with some stress that the person can handle."),
            gettext_noop(
                "An unsupportive or stressful environment (use at home, conflict, insecure work or housing) that "
                "the person can handle with structured support."
            ),
            gettext_noop(
                "An environment that works against recovery: others using at home, no stable housing, or nobody "
                "supportive. The person needs a different place to live to recover."
            ),
            gettext_noop(
                "A dangerous environment (violence, abuse, no safe place to stay) or one that actively blocks "
                "recovery. Needs a safe place or 24-hour structure now."
            ),
        ),
    ),
)
_DIMENSION = MappingProxyType({dimension.number: dimension for dimension in DIMENSIONS})


# --- IOP fit (DOMAIN.md "Good fit for IOP") -------------------------------------------------------------------------


@dataclass(frozen=True)
class FitFactor:
    code: str
    question: str  # asked in plain words; the answer is yes (True) or no (False)
    favours_iop_when: bool  # the answer that makes IOP a better fit
    label: str = ""  # the favourable state, as DOMAIN.md lists it
    against_label: str = ""  # the state when the answer argues against IOP


FIT_FACTORS: tuple[FitFactor, ...] = (
    FitFactor(
        "strong_support",
        gettext_noop("Does the person have family, friends or others who actively support their recovery?"),
        True,
        gettext_noop("strong support system"),
        gettext_noop("no strong support system"),
    ),
    FitFactor(
        "stable_home",
        gettext_noop("Does the person have a stable, safe place to live for the coming months?"),
        True,
        gettext_noop("stable home"),
        gettext_noop("no stable home"),
    ),
    FitFactor(
        "previous_iop",
        gettext_noop("Has the person been in an intensive outpatient program before?"),
        False,
        gettext_noop("not previously in IOP"),
        gettext_noop("previously in IOP"),
    ),
    FitFactor(
        "low_relapse_risk_at_home",
        gettext_noop(
            "Is the risk of using again low at home (nobody there uses, and alcohol or drugs are not easy to get)?"
        ),
        True,
        gettext_noop("lower relapse risk at home"),
        gettext_noop("higher relapse risk at home"),
    ),
    FitFactor(
        "comfortable_in_groups",
        gettext_noop("Is the person comfortable talking and listening in a group?"),
        True,
        gettext_noop("comfortable in groups"),
        gettext_noop("not comfortable in groups"),
    ),
    FitFactor(
        "no_severe_withdrawal_risk",
        gettext_noop(
            "Is the person free of any risk of severe withdrawal (no past seizures or delirium tremens when "
            "stopping, no heavy daily alcohol, benzodiazepine or other sedative use)?"
        ),
        True,
        gettext_noop("no risk of severe withdrawal"),
        gettext_noop("risk of severe withdrawal"),
    ),
    FitFactor(
        "schedule_around_work_school",
        gettext_noop("Does the person need treatment scheduled around work, school or caring for others?"),
        True,
        gettext_noop("needs a schedule that fits work or school"),
        gettext_noop("no need to fit treatment around work or school"),
    ),
)
_FIT = MappingProxyType({factor.code: factor for factor in FIT_FACTORS})

AnswerKind = Literal["for", "against", "unanswered"]
NoteKind = Literal["caution", "supports", "info"]
_ANSWER_KINDS: Mapping[str, AnswerKind] = MappingProxyType(
    {"for": "for", "against": "against", "unanswered": "unanswered"}
)
_NOTE_KINDS: Mapping[str, NoteKind] = MappingProxyType({"caution": "caution", "supports": "supports", "info": "info"})
_NOTE_EFFECT: Mapping[NoteKind, str] = MappingProxyType(
    {"caution": "IOP fit caution", "supports": "IOP fit", "info": "note"}
)


def _answer_kind(factor: FitFactor, answer: bool | None) -> AnswerKind:
    if answer is None:
        return "unanswered"
    return "for" if answer == factor.favours_iop_when else "against"
