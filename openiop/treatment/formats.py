# SPDX-License-Identifier: AGPL-3.0-or-later
"""Note templates: the structured sections of DAP, SOAP and BIRP notes, and
the individualized section of a group note. Definitions are data; the form
builds one field per section and signing requires every required one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: Any
    help: Any
    required: bool = True


@dataclass(frozen=True)
class NoteFormat:
    code: str
    label: Any
    sections: tuple[Section, ...]


DAP = NoteFormat(
    "DAP",
    _("DAP (data, assessment, plan)"),
    (
        Section("data", _("Data"), _("What the patient said and did; observations; what happened in session.")),
        Section("assessment", _("Assessment"), _("Your clinical interpretation and progress towards objectives.")),
        Section("plan", _("Plan"), _("Next steps, homework, next session.")),
    ),
)
SOAP = NoteFormat(
    "SOAP",
    _("SOAP (subjective, objective, assessment, plan)"),
    (
        Section("subjective", _("Subjective"), _("The patient's report in their own words.")),
        Section("objective", _("Objective"), _("Observations, vital signs, test results, medication adherence.")),
        Section("assessment", _("Assessment"), _("Clinical impression and progress.")),
        Section("plan", _("Plan"), _("Changes, orders, follow-up.")),
    ),
)
BIRP = NoteFormat(
    "BIRP",
    _("BIRP (behavior, intervention, response, plan)"),
    (
        Section("behavior", _("Behavior"), _("Presentation and behavior observed.")),
        Section("intervention", _("Intervention"), _("What you did: techniques, topics.")),
        Section("response", _("Response"), _("How the patient responded.")),
        Section("plan", _("Plan"), _("Next steps.")),
    ),
)
GROUP = NoteFormat(
    "GROUP",
    _("Group section"),
    (
        Section("response", _("Individual response"), _("This participant's response to the session.")),
        Section("plan", _("Plan"), _("Follow-up for this participant."), required=False),
    ),
)

FORMATS: dict[str, NoteFormat] = {f.code: f for f in (DAP, SOAP, BIRP, GROUP)}
INDIVIDUAL_FORMATS = (DAP, SOAP, BIRP)


def format_choices() -> list[tuple[str, Any]]:
    return [(f.code, f.label) for f in INDIVIDUAL_FORMATS]


def missing_sections(code: str, sections: dict[str, str]) -> list[Section]:
    return [s for s in FORMATS[code].sections if s.required and not str(sections.get(s.key, "")).strip()]
