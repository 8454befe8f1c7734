# SPDX-License-Identifier: AGPL-3.0-or-later
from openiop.treatment.models.counseling import CounselingNote
from openiop.treatment.models.library import LibraryEntry
from openiop.treatment.models.locking import LockedRecordError
from openiop.treatment.models.notes import (
    Addendum,
    Curriculum,
    GroupSession,
    Homework,
    Note,
    NoteAttendee,
    NoteObjective,
    NoteStatus,
)
from openiop.treatment.models.plans import (
    Goal,
    HoursBand,
    Intervention,
    Objective,
    PatientAcknowledgement,
    PlanVersion,
    Population,
    Problem,
    ServiceType,
    TreatmentPlan,
)

__all__ = [
    "Addendum",
    "CounselingNote",
    "Curriculum",
    "Goal",
    "GroupSession",
    "Homework",
    "HoursBand",
    "Intervention",
    "LibraryEntry",
    "LockedRecordError",
    "Note",
    "NoteAttendee",
    "NoteObjective",
    "NoteStatus",
    "Objective",
    "PatientAcknowledgement",
    "PlanVersion",
    "Population",
    "Problem",
    "ServiceType",
    "TreatmentPlan",
]
