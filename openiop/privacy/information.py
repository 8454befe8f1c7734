# SPDX-License-Identifier: AGPL-3.0-or-later
"""The vocabulary of 42 CFR Part 2 consents and disclosures, as data.

Information classes, recipients, purposes, exceptions and the statements a
consent or a disclosure must carry. The texts live here (not in templates) so
that a consent keeps the exact words the patient was given and a disclosure
the exact notice that went with it. No database: usable from plain tests.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InformationClass(models.TextChoices):
    """What a consent lets the program disclose: a specific description as data."""

    ATTENDANCE = "attendance", _("Attendance and dates of service")
    DIAGNOSES = "diagnoses", _("Diagnoses")
    ASSESSMENTS = "assessments", _("Assessments and scores")
    TREATMENT_PLAN = "treatment_plan", _("Treatment plan")
    PROGRESS_NOTES = "progress_notes", _("Progress notes")
    DRUG_TESTS = "drug_tests", _("Drug-test results")
    MEDICATIONS = "medications", _("Medications")
    DISCHARGE_SUMMARY = "discharge_summary", _("Discharge summary")
    COUNSELING_NOTES = "counseling_notes", _("SUD counseling notes")


# A consent may say "all my records except counseling notes" instead of a list.
ALL_EXCEPT_COUNSELING_NOTES = "all_except_counseling_notes"
ALL_EXCEPT_COUNSELING_NOTES_LABEL = _("All my records except SUD counseling notes")
RECORD_CLASSES: frozenset[str] = frozenset(InformationClass.values) - {InformationClass.COUNSELING_NOTES}
INFORMATION_CHOICES = [(ALL_EXCEPT_COUNSELING_NOTES, ALL_EXCEPT_COUNSELING_NOTES_LABEL), *InformationClass.choices]


def expand_information(codes: frozenset[str] | set[str] | list[str] | tuple[str, ...]) -> frozenset[str]:
    """The information classes a consent's description stands for."""
    expanded = set(codes) - {ALL_EXCEPT_COUNSELING_NOTES}
    if ALL_EXCEPT_COUNSELING_NOTES in codes:
        expanded |= RECORD_CLASSES
    return frozenset(expanded)


def information_label(code: str) -> str:
    if code == ALL_EXCEPT_COUNSELING_NOTES:
        return str(ALL_EXCEPT_COUNSELING_NOTES_LABEL)
    return str(InformationClass(code).label) if code in InformationClass.values else code


def lower_first(text: str) -> str:
    """ "Drug-test results" -> "drug-test results", but "SUD counseling notes" stays."""
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text


def information_labels(codes: frozenset[str] | set[str] | list[str] | tuple[str, ...], *, lower: bool = False) -> str:
    """ "Attendance and dates of service, drug-test results", in the vocabulary's order."""
    order = [ALL_EXCEPT_COUNSELING_NOTES, *InformationClass.values]
    ordered = sorted(set(codes), key=lambda code: order.index(code) if code in order else len(order))
    labels = [lower_first(information_label(code)) for code in ordered]
    if labels and not lower:
        labels[0] = labels[0][0].upper() + labels[0][1:]
    return ", ".join(labels)


class ConsentKind(models.TextChoices):
    TPO = "tpo", _("Single consent for treatment, payment and health care operations")
    SPECIFIC = "specific", _("Consent to a named recipient")
    COUNSELING_NOTES = "counseling_notes", _("SUD counseling notes consent")


class RecipientKind(models.TextChoices):
    TREATING_PROVIDER = "provider", _("Treating provider or medical personnel")
    HEALTH_PLAN = "health_plan", _("Health plan")
    PAYER = "payer", _("Third-party payer")
    PROGRAM_OPERATIONS = "operations", _("Helps operate this program (business associate)")
    CRIMINAL_JUSTICE = "criminal_justice", _("Court, probation or parole")
    EMPLOYER = "employer", _("Employer")
    FAMILY = "family", _("Family member or friend")
    OTHER = "other", _("Other person or organization")


# The recipients a single TPO consent describes as a class, in the rule's words.
TPO_RECIPIENT_KINDS: frozenset[str] = frozenset(
    {RecipientKind.TREATING_PROVIDER, RecipientKind.HEALTH_PLAN, RecipientKind.PAYER, RecipientKind.PROGRAM_OPERATIONS}
)
TPO_RECIPIENT_WORDING = _(
    "My treating providers, health plans, third-party payers, and people helping to operate this program"
)
# The same class as the scope explanation sent with a disclosure names it.
TPO_RECIPIENTS_THIRD_PERSON = _(
    "the patient's treating providers, health plans, third-party payers, and people helping to operate the program"
)


class Purpose(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    PAYMENT = "payment", _("Payment")
    OPERATIONS = "operations", _("Health care operations")
    CRIMINAL_JUSTICE = "criminal_justice", _("Court, probation or parole supervision")
    EMPLOYMENT = "employment", _("Employment or return to work")
    FAMILY = "family", _("Family involvement in care")
    PATIENT_REQUEST = "patient_request", _("At the patient's request")


TPO_PURPOSES: frozenset[str] = frozenset({Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS})


class ExpiryKind(models.TextChoices):
    DATE = "date", _("On a date")
    END_OF_TREATMENT = "end_of_treatment", _("At the end of treatment")
    EVENT = "event", _("When an event happens")
    NONE = "none", _("None (single TPO consent only)")


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", _("Signed on screen (typed name and drawn signature)")
    SCANNED = "scanned", _("Signed on paper, scanned")


class NoticeAcknowledgementKind(models.TextChoices):
    """How the patient took the notice of 42 CFR 2.22."""

    SIGNED = "signed", _("Signed the acknowledgment")
    VERBAL = "verbal", _("Acknowledged verbally")
    REFUSED = "refused", _("Refused to acknowledge (notice given)")


# The security labels every Part 2 document and FHIR resource that leaves
# carries: (system, code, display). Restricted confidentiality, the 42 CFR
# Part 2 policy, and the obligation not to redisclose without consent.
SECURITY_LABELS: tuple[tuple[str, str, str], ...] = (
    ("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "R", "restricted"),
    ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "42CFRPart2", "42 CFR Part2"),
    ("http://terminology.hl7.org/CodeSystem/v3-ActCode", "NORDSCLCD", "no redisclosure without consent directive"),
)
SECURITY_LABEL_LINE = " / ".join(code for _system, code, _display in SECURITY_LABELS)


class Signer(models.TextChoices):
    PATIENT = "patient", _("The patient")
    REPRESENTATIVE = "representative", _("A legal representative")


class RepresentativeRelation(models.TextChoices):
    PARENT = "parent", _("Parent of a minor")
    GUARDIAN = "guardian", _("Legal guardian")
    HEALTH_CARE_AGENT = "health_care_agent", _("Health care agent or power of attorney")
    PERSONAL_REPRESENTATIVE = "personal_representative", _("Personal representative of a deceased patient")


class ExceptionKind(models.TextChoices):
    """Disclosures without consent that Part 2 permits, each recorded as such."""

    MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency (42 CFR 2.51)")
    AUDIT_EVALUATION = "audit_evaluation", _("Audit or evaluation (42 CFR 2.53)")
    RESEARCH = "research", _("Research (42 CFR 2.52)")
    COURT_ORDER = "court_order", _("Court order (42 CFR 2.64)")


class Channel(models.TextChoices):
    FAX = "fax", _("Fax")
    MAIL = "mail", _("Mail")
    SECURE_EMAIL = "secure_email", _("Secure e-mail")
    PORTAL = "portal", _("Portal")
    ELECTRONIC_EXCHANGE = "electronic_exchange", _("Electronic exchange (HIE, FHIR)")
    PHONE = "phone", _("Telephone")
    IN_PERSON = "in_person", _("In person")


class RevocationChannel(models.TextChoices):
    """How a written revocation reached the program."""

    IN_PERSON = "in_person", _("Handed in, in writing")
    MAIL = "mail", _("Mail")
    FAX = "fax", _("Fax")
    SECURE_EMAIL = "secure_email", _("Secure e-mail")
    PORTAL = "portal", _("Portal message")


class Statement(models.TextChoices):
    """Statements a consent must carry (42 CFR 2.31), by code."""

    RIGHT_TO_REVOKE = "right_to_revoke", _("Right to revoke in writing")
    TPO_REDISCLOSURE = "tpo_redisclosure", _("Redisclosure under HIPAA")
    NO_PROCEEDINGS = "no_proceedings", _("Never used in proceedings against the patient")
    NOT_A_CONDITION = "not_a_condition", _("Treatment is not conditioned on signing")
    CONSEQUENCES_OF_REFUSING = "consequences_of_refusing", _("Consequences of refusing to sign")
    COUNSELING_NOTES_SEPARATE = "counseling_notes_separate", _("Counseling notes need their own consent")


# The words given to the patient, kept with each signed consent.
STATEMENT_TEXT: dict[str, str] = {
    Statement.RIGHT_TO_REVOKE: (
        "You may revoke this consent in writing at any time, except to the extent that the program has already "
        "acted on it."
    ),
    Statement.TPO_REDISCLOSURE: (
        "Records disclosed under this consent to a HIPAA covered entity or business associate may be further "
        "disclosed by them as the HIPAA regulations permit."
    ),
    Statement.NO_PROCEEDINGS: (
        "Your records will not be used or disclosed in civil, criminal, administrative or legislative proceedings "
        "against you without your specific written consent or a court order under 42 CFR part 2."
    ),
    Statement.NOT_A_CONDITION: (
        "Your treatment, payment, enrollment or eligibility for benefits does not depend on whether you sign this "
        "consent."
    ),
    Statement.CONSEQUENCES_OF_REFUSING: (
        "If you do not sign, the program will not share your records with your other providers or your health plan "
        "for treatment, payment or operations without another consent; your care here continues, but claims to your "
        "health plan and coordination with your other providers may not be possible."
    ),
    Statement.COUNSELING_NOTES_SEPARATE: (
        "SUD counseling notes are disclosed only under this separate consent, which cannot be combined with consent "
        "to disclose any other record; signing it is never a condition of treatment."
    ),
}

REQUIRED_STATEMENTS: dict[str, tuple[str, ...]] = {
    ConsentKind.TPO: (
        Statement.RIGHT_TO_REVOKE,
        Statement.TPO_REDISCLOSURE,
        Statement.NO_PROCEEDINGS,
        Statement.NOT_A_CONDITION,
        Statement.CONSEQUENCES_OF_REFUSING,
    ),
    ConsentKind.SPECIFIC: (Statement.RIGHT_TO_REVOKE, Statement.NOT_A_CONDITION),
    ConsentKind.COUNSELING_NOTES: (
        Statement.RIGHT_TO_REVOKE,
        Statement.NOT_A_CONDITION,
        Statement.COUNSELING_NOTES_SEPARATE,
    ),
}


class NoticeForm(models.TextChoices):
    """Which 42 CFR 2.32 notice goes with each disclosure; the program chooses."""

    SHORT = "short", _("Short form")
    LONG = "long", _("Long form (Statement 1)")


NOTICE_TEXT: dict[str, str] = {
    NoticeForm.SHORT: "42 CFR part 2 prohibits unauthorized use or disclosure of these records.",
    NoticeForm.LONG: (
        "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
        "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
        "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any "
        "Federal, State, or local authority, against the patient, unless authorized by the consent of the patient, "
        "except as provided at 42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or "
        "2.65. In addition, the Federal rules prohibit you from making any other use or disclosure of this record "
        "unless at least one of the following applies: (i) Further use or disclosure is expressly permitted by the "
        "written consent of the individual whose information is being disclosed in this record or as otherwise "
        "permitted by 42 CFR part 2. (ii) You are a covered entity or business associate and have received the "
        "record for treatment, payment, or health care operations, or (iii) You have received the record from a "
        "covered entity or business associate as permitted by 45 CFR part 164, subparts A and E. A general "
        "authorization for the release of medical or other information is NOT sufficient to meet the required "
        "elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
    ),
}


# The statements in Spanish, shown when the patient reads the consent in
# Spanish (the consent keeps the English words it was recorded with too).
STATEMENT_TEXT_ES: dict[str, str] = {
    Statement.RIGHT_TO_REVOKE: (
        "Puede revocar este consentimiento por escrito en cualquier momento, salvo en la medida en que el programa "
        "ya haya actuado conforme a él."
    ),
    Statement.TPO_REDISCLOSURE: (
        "Los registros divulgados con este consentimiento a una entidad cubierta por HIPAA o a su socio comercial "
        "pueden ser divulgados de nuevo por ellos según lo permitan las normas de HIPAA."
    ),
    Statement.NO_PROCEEDINGS: (
        "Sus registros no se usarán ni divulgarán en procedimientos civiles, penales, administrativos o legislativos "
        "en su contra sin su consentimiento específico por escrito o una orden judicial conforme a 42 CFR parte 2."
    ),
    Statement.NOT_A_CONDITION: (
        "Su tratamiento, el pago, su inscripción o su elegibilidad para beneficios no dependen de que firme este "
        "consentimiento."
    ),
    Statement.CONSEQUENCES_OF_REFUSING: (
        "Si no lo firma, el programa no compartirá sus registros con sus otros proveedores ni con su plan de salud "
        "para tratamiento, pago u operaciones sin otro consentimiento; su atención aquí continúa, pero las "
        "reclamaciones a su plan de salud y la coordinación con sus otros proveedores podrían no ser posibles."
    ),
    Statement.COUNSELING_NOTES_SEPARATE: (
        "Las notas de consejería por trastorno por uso de sustancias se divulgan solo con este consentimiento "
        "separado, que no puede combinarse con el consentimiento para divulgar ningún otro registro; firmarlo nunca "
        "es una condición del tratamiento."
    ),
}

_NOTICE_TEXT_DEFAULT = {
    "en": (
        "Federal law (42 CFR part 2) protects the confidentiality of your substance use disorder records. "
        "This program will not say to anyone outside the program that you attend it, or disclose any information "
        "identifying you as having a substance use disorder, unless you consent in writing, the disclosure is "
        "allowed by a court order, it is made to medical personnel in a medical emergency, or it is for research, "
        "audit or program evaluation as the law allows.\n\n"
        "You have the right to a copy of this notice, to ask for an accounting of the disclosures made with your "
        "consent, to ask that some disclosures be restricted, and to revoke a consent in writing. Violation of the "
        "federal law is a crime; you may report a suspected violation to the U.S. Department of Health and Human "
        "Services and to the United States Attorney. The law does not protect information about a crime committed "
        "by a patient at the program or against its staff, nor reports of suspected child abuse or neglect."
    ),
    "es": (
        "La ley federal (42 CFR parte 2) protege la confidencialidad de sus registros de trastorno por uso de "
        "sustancias. Este programa no dirá a nadie fuera del programa que usted asiste, ni divulgará información que "
        "lo identifique como persona con un trastorno por uso de sustancias, salvo que usted lo consienta por "
        "escrito, lo permita una orden judicial, se haga al personal médico en una emergencia médica, o sea para "
        "investigación, auditoría o evaluación del programa según lo permita la ley.\n\n"
        "Usted tiene derecho a una copia de este aviso, a pedir una relación de las divulgaciones hechas con su "
        "consentimiento, a pedir que se restrinjan algunas divulgaciones y a revocar un consentimiento por escrito. "
        "Violar la ley federal es un delito; puede denunciar una posible violación al Departamento de Salud y "
        "Servicios Humanos de los EE. UU. y al Fiscal Federal. La ley no protege la información sobre un delito "
        "cometido por un paciente en el programa o contra su personal, ni los informes de sospecha de abuso o "
        "abandono de menores."
    ),
}


def default_notice_text(language: str) -> str:
    return _NOTICE_TEXT_DEFAULT.get(language, _NOTICE_TEXT_DEFAULT["en"])
