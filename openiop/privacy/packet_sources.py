# SPDX-License-Identifier: AGPL-3.0-or-later
"""Where a release-of-information packet's records come from: one source per
information class, registered here (an app adds its own with
``register_source``). The packet builder calls only the sources of the classes
the gate allowed, so SUD counseling notes reach a packet only when a
counseling-notes consent covers that recipient (the gate also refuses to
combine them with any other class).

A source returns a ``Section``: a title, column headings and rows of plain
text, rendered into the packet as a table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from openiop.patients.models import Episode, Patient
from openiop.privacy.information import InformationClass


@dataclass(frozen=True)
class Period:
    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


@dataclass
class Section:
    information_class: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


Source = Callable[[Patient, Period], Section]
SOURCES: dict[str, Source] = {}


def register_source(information_class: str, source: Source) -> None:
    SOURCES[information_class] = source


def sections(patient: Patient, allowed: frozenset[str], period: Period) -> list[Section]:
    """The records of each class in ALLOWED (the classes the gate allowed), in
    the vocabulary's order. A class without a source says so in the packet."""
    built = []
    for code in InformationClass.values:
        if code not in allowed:
            continue
        source = SOURCES.get(code)
        if source is None:
            built.append(
                Section(code, str(InformationClass(code).label), [_("Note")], [[_("Not kept in this system.")]])
            )
        else:
            built.append(source(patient, period))
    return built


def _day(value: dt.date | dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


# --- The sources of this code base --------------------------------------------


def _attendance(patient: Patient, period: Period) -> Section:
    from openiop.treatment.models import Note, NoteStatus

    notes = Note.objects.filter(patient=patient, status=NoteStatus.SIGNED).order_by("session_date", "start_time")
    rows = [
        [_day(note.session_date), str(note.get_kind_display()), str(note.minutes_attended or "")]
        for note in notes
        if period.contains(note.session_date)
    ]
    title = str(InformationClass.ATTENDANCE.label)
    return Section(InformationClass.ATTENDANCE, title, [_("Date of service"), _("Service"), _("Minutes")], rows)


def _assessments(patient: Patient, period: Period) -> Section:
    from openiop.assessments.models import InstrumentResult

    results = InstrumentResult.objects.filter(patient=patient).order_by("administered_at")
    rows = [
        [_day(result.administered_at.date()), result.instrument_code.upper(), str(result.total), result.band]
        for result in results
        if period.contains(result.administered_at.date())
    ]
    return Section(
        InformationClass.ASSESSMENTS,
        str(InformationClass.ASSESSMENTS.label),
        [_("Date"), _("Instrument"), _("Score"), _("Band")],
        rows,
    )


def _treatment_plan(patient: Patient, period: Period) -> Section:
    from openiop.treatment.models import PlanVersion

    versions = (
        PlanVersion.objects.filter(plan__episode__patient=patient, status="signed")
        .prefetch_related("problems")
        .order_by("-number")
    )
    rows = []
    latest = next(iter(versions), None)
    if latest is not None:
        for problem in latest.problems.all():
            rows.append([_day(latest.signed_at), problem.description])
    return Section(
        InformationClass.TREATMENT_PLAN,
        str(InformationClass.TREATMENT_PLAN.label),
        [_("Signed"), _("Problem")],
        rows,
    )


def _progress_notes(patient: Patient, period: Period) -> Section:
    from openiop.treatment.models import Note, NoteStatus

    notes = Note.objects.filter(patient=patient, status=NoteStatus.SIGNED).order_by("session_date", "start_time")
    rows = []
    for note in notes:
        if not period.contains(note.session_date):
            continue
        text = " ".join(f"{key}: {value}" for key, value in (note.sections or {}).items() if str(value).strip())
        rows.append([_day(note.session_date), str(note.get_kind_display()), text])
    return Section(
        InformationClass.PROGRESS_NOTES,
        str(InformationClass.PROGRESS_NOTES.label),
        [_("Date of service"), _("Service"), _("Note")],
        rows,
    )


def _drug_tests(patient: Patient, period: Period) -> Section:
    from openiop.medications.models import TestResult

    results = (
        TestResult.objects.filter(specimen__patient=patient, superseded_by__isnull=True)
        .select_related("specimen")
        .order_by("specimen__collected_at", "drug_class")
    )
    rows = [
        [_day(result.specimen.collected_on), str(result.get_drug_class_display()), str(result.get_result_display())]
        for result in results
        if period.contains(result.specimen.collected_on)
    ]
    return Section(
        InformationClass.DRUG_TESTS,
        str(InformationClass.DRUG_TESTS.label),
        [_("Collected"), _("Drug class"), _("Result")],
        rows,
    )


def _medications(patient: Patient, period: Period) -> Section:
    from openiop.medications.models import Medication

    medications = Medication.objects.filter(patient=patient).order_by("start_date", "pk")
    rows = [
        [
            medication.name,
            medication.dose,
            medication.frequency,
            _day(medication.start_date),
            _day(medication.stop_date),
        ]
        for medication in medications
    ]
    return Section(
        InformationClass.MEDICATIONS,
        str(InformationClass.MEDICATIONS.label),
        [_("Medication"), _("Dose"), _("Frequency"), _("Started"), _("Stopped")],
        rows,
    )


def _discharge_summary(patient: Patient, period: Period) -> Section:
    episodes = Episode.objects.filter(patient=patient).order_by("admission_date")
    rows = [
        [
            _day(episode.admission_date),
            _day(episode.discharge_date),
            str(episode.get_level_of_care_display()),
            str(episode.get_discharge_reason_display()) if episode.discharge_reason else str(_("In treatment")),
        ]
        for episode in episodes
    ]
    return Section(
        InformationClass.DISCHARGE_SUMMARY,
        str(InformationClass.DISCHARGE_SUMMARY.label),
        [_("Admitted"), _("Discharged"), _("Level of care"), _("Reason")],
        rows,
    )


def _counseling_notes(patient: Patient, period: Period) -> Section:
    from openiop.treatment.models.counseling import CounselingNote
    from openiop.treatment.models.notes import NoteStatus

    notes = CounselingNote.objects.filter(patient=patient, status=NoteStatus.SIGNED).order_by("session_date", "pk")
    rows = [[_day(note.session_date), note.text] for note in notes if period.contains(note.session_date)]
    return Section(
        InformationClass.COUNSELING_NOTES,
        str(InformationClass.COUNSELING_NOTES.label),
        [_("Date of the conversation"), _("Counseling note")],
        rows,
    )


register_source(InformationClass.ATTENDANCE, _attendance)
register_source(InformationClass.ASSESSMENTS, _assessments)
register_source(InformationClass.TREATMENT_PLAN, _treatment_plan)
register_source(InformationClass.PROGRESS_NOTES, _progress_notes)
register_source(InformationClass.DRUG_TESTS, _drug_tests)
register_source(InformationClass.MEDICATIONS, _medications)
register_source(InformationClass.DISCHARGE_SUMMARY, _discharge_summary)
register_source(InformationClass.COUNSELING_NOTES, _counseling_notes)
