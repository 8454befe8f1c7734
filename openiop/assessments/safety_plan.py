# SPDX-License-Identifier: AGPL-3.0-or-later
"""The Stanley-Brown safety plan as data, and when it is due for review.
Plain Python, no database.

The plan has six steps and the reasons for living (DOMAIN.md, Suicide risk
follow-up). Each step has the clinician's name for it and the plain words the
person reads on their printed copy, first person, short sentences. The model
(``SafetyPlanVersion``) has one text field per step, named by ``key``.

A plan is reviewed with the person whenever their care steps down (from
partial hospitalization to IOP, from IOP to outpatient): less contact means
the plan has to carry more. ``review_due`` says which step-down still waits
for that review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    key: str  # the SafetyPlanVersion field
    number: str  # "1".."6"; "" for the reasons for living
    title: Promise  # the clinician's name for the step
    heading: Promise  # what the person reads on their copy
    help: Promise  # what to ask, for the clinician filling it in


STEPS: tuple[Step, ...] = (
    Step(
        "warning_signs",
        "1",
        _("Warning signs"),
        _("Warning signs that a crisis may be starting"),
        _("Thoughts, images, moods, situations or behaviors. In the person's own words, one per line."),
    ),
    Step(
        "coping_strategies",
        "2",
        _("Internal coping strategies"),
        _("Things I can do on my own to take my mind off my problems"),
        _("Relaxation, physical activity, something absorbing, without contacting anyone."),
    ),
    Step(
        "distractions",
        "3",
        _("People and social settings that provide distraction"),
        _("People and places that help me take my mind off things"),
        _("Names with phone numbers, and places (a coffee shop, a meeting, the gym)."),
    ),
    Step(
        "help_contacts",
        "4",
        _("People to ask for help"),
        _("People I can ask for help"),
        _("Family members or friends the person would tell about a crisis, with phone numbers."),
    ),
    Step(
        "crisis_contacts",
        "5",
        _("Professionals or agencies to contact in a crisis"),
        _("Professionals and services I can contact in a crisis"),
        _("The counselor, the prescriber, the program's after-hours line, the nearest emergency department."),
    ),
    Step(
        "environment_safety",
        "6",
        _("Making the environment safe"),
        _("Making my surroundings safe"),
        _("Means restriction: firearms stored elsewhere or locked, medicines in small amounts or held by someone."),
    ),
    Step(
        "reasons_for_living",
        "",
        _("Reasons for living"),
        _("The things most worth living for"),
        _("In the person's own words."),
    ),
)
STEP_KEYS: tuple[str, ...] = tuple(step.key for step in STEPS)

# Prefilled in step 5 of a new plan: the crisis lines are the same for everyone.
CRISIS_LINES = "988 Suicide & Crisis Lifeline: call or text 988 (chat at 988lifeline.org)\nEmergency: call 911"


def entries(text: str) -> list[str]:
    """A step's text as the lines the person reads (blank lines dropped)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def missing_steps(content: dict[str, str]) -> list[Step]:
    """Steps with nothing written: a plan is saved only with every step filled,
    because an empty step is a gap the person meets in a crisis."""
    return [step for step in STEPS if not entries(content.get(step.key, ""))]


@dataclass(frozen=True)
class Moment:
    """When something happened (``on``, the date it took effect or was done)
    and when it was put on the record (``at``)."""

    on: dt.date
    at: dt.datetime


def review_due(*, step_downs: Iterable[Moment], reviews: Iterable[Moment]) -> dt.date | None:
    """The date of the step-down that still waits for a review with the person,
    or None. STEP_DOWNS: when the active episode's level stepped down (its
    effective date, and when it was recorded); REVIEWS: when the current
    version of the plan was gone through with the person (the date, and when
    that was recorded). A review covers the latest step-down (and every
    earlier one) when it took place on or after the step-down's date and was
    recorded after the step-down was: a review that same morning, before
    anyone decided to step down, was not a review of the step-down."""
    latest = max(step_downs, key=lambda moment: (moment.on, moment.at), default=None)
    if latest is None:
        return None
    if any(review.on >= latest.on and review.at >= latest.at for review in reviews):
        return None
    return latest.on
