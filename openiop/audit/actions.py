# SPDX-License-Identifier: AGPL-3.0-or-later
"""The names of audit events: every action passed to ``log_action``.

An audit log is read by people answering "who did what": a typo'd or
invented name ("note.signed" beside "note.sign") splits one kind of event in
two and a reviewer's filter misses half. So every name is known here, and
``log_action`` refuses an unknown one where a mistake is cheap to fix (tests
and DEBUG, ``OPENIOP_AUDIT_STRICT_ACTIONS``). In production it never refuses:
losing an audit event is worse than a misspelled one.

The names below are those in use when the registry was made. A new app
registers its own from its ``apps.py`` ``ready()``:

    from openiop.audit.actions import register_actions
    register_actions("ledger.post", "ledger.reverse")

A name ending in ``.*`` registers a family (``"export.*"``) for names built at
run time. ``openiop/audit/tests/test_actions.py`` finds every literal name
passed to ``log_action`` in the code and checks it is registered.
"""

from __future__ import annotations

from django.conf import settings

_KNOWN: set[str] = {
    "access.denied",
    "alert.acknowledge",
    "alert.raise",
    "allergy.entered_in_error",
    "allergy.none_known",
    "allergy.record",
    "assistance.attestation_record",
    "assistance.award_create",
    "assistance.award_reverse",
    "assistance.fund_create",
    "assistance.installment_missed",
    "assistance.plan_cancel",
    "assistance.plan_completed",
    "assistance.plan_create",
    "assistance.reminder_sent",
    "assistance.sliding_fee_apply",
    "audit.export",
    "auth.login",
    "auth.login_failed",
    "auth.login_throttled",
    "auth.logout",
    "auth.mfa_failed",
    "auth.mfa_verified",
    "authorization.create",
    "authorization.update",
    "billing.charges.sync",
    "billing.export",
    "billing.fee_schedule.create",
    "billing.fee_schedule.end",
    "claim.answer",
    "claim.build",
    "claim.charges_ready",
    "claim.posted",
    "claim.replace",
    "claim.stop",
    "claim.void",
    "claims.file_written",
    "claims.remittance",
    "clearinghouse.import",
    "clearinghouse.refused",
    "consent.expiry_event",
    "consent.record",
    "consent.revoke",
    "consent.sign",
    "counseling_note.sign",
    "coverage.benefits",
    "coverage.card",
    "coverage.create",
    "coverage.to_enter",
    "coverage.update",
    "demo.bulk_seed",
    "diagnosis.create",
    "diagnosis.entered_in_error",
    "diagnosis.mark_primary",
    "diagnosis.resolve",
    "diagnosis.update",
    "directory.import",
    "disclosure.make",
    "disclosure.refused",
    "drugtest.result_correct",
    "drugtest.results_record",
    "drugtest.review_confirm",
    "drugtest.review_dismiss",
    "drugtest.review_extend",
    "drugtest.review_open",
    "drugtest.sobriety_keep",
    "drugtest.sobriety_restore",
    "drugtest.sobriety_restore_offer",
    "drugtest.sobriety_restore_withdraw",
    "drugtest.specimen_record",
    "edit.stale",  # openiop.audit.editing: a save refused because someone else saved first
    "eligibility.answer",
    "eligibility.record",
    "eligibility.send",
    "episode.admit",
    "episode.change_level",
    "episode.discharge",
    "estimates.create",
    "estimates.deliver",
    "estimates.insurance_declined",
    "estimates.issue",
    "estimates.revise",
    "estimates.update",
    "group.create",
    "group.follow_attendance",
    "group.save",
    "group.section_absent",
    "group.section_remove",
    "group.sign",
    "homework.assign",
    "homework.complete",
    "inquiry.benefits",
    "inquiry.create",
    "inquiry.move",
    "inquiry.prescreen",
    "inquiry.selfcheck_acknowledged",
    "inquiry.selfcheck_shared",
    "inquiry.update",
    "instrument.entered_in_error",
    "instrument.record",
    "ledger.post",
    "ledger.reverse",
    "medication.add",
    "medication.adherence_note",
    "medication.change",
    "medication.entered_in_error",
    "medication.reinstate",
    "medication.stop",
    "note.addendum",
    "note.cosign",
    "note.create",
    "note.sign",
    "note.update",
    "patients.duplicate_check",
    "patients.duplicate_check.limited",
    "payer.create",
    "payer.services",
    "payer.update",
    "permissions.grant",
    "permissions.revoke",
    "placement.decide",
    "placement.run",
    "plan.add_from_library",
    "plan.cosign",
    "plan.item_remove",
    "plan.item_save",
    "plan.revise",
    "plan.sign",
    "plan.start",
    "plan_library.save",
    "privacy.accounting_provided",
    "privacy.accounting_request",
    "privacy.accounting_view",
    "privacy.break_glass",
    "privacy.break_glass_no_match",
    "privacy.break_glass_review",
    "privacy.notice_acknowledge",
    "privacy.notice_settings",
    "privacy.settings",
    "record.create",
    "record.delete",
    "record.read",
    "record.update",
    "referral_source.create",
    "referral_source.deactivate",
    "referral_source.delete",
    "referral_source.reactivate",
    "referral_source.update",
    "release.build",
    "release.download",
    "release.refuse",
    "release.request",
    "reports.export",
    "restriction.decide",
    "restriction.request",
    "safety_plan.review",
    "safety_plan.write",
    "scheduling.appointment.cancel",
    "scheduling.appointment.create",
    "scheduling.appointment.reschedule",
    "scheduling.attendance.correct",
    "scheduling.attendance.record",
    "scheduling.availability.add",
    "scheduling.availability.change",
    "scheduling.availability.remove",
    "scheduling.clinician_availability.add",
    "scheduling.clinician_availability.change",
    "scheduling.clinician_availability.remove",
    "scheduling.enrol",
    "scheduling.feed.create",
    "scheduling.feed.read",
    "scheduling.feed.refused",
    "scheduling.feed.revoke",
    "scheduling.series.create",
    "scheduling.session.cancel",
    "scheduling.session.create",
    "scheduling.session.reschedule",
    "scheduling.track.activate",
    "scheduling.track.create",
    "scheduling.track.deactivate",
    "scheduling.week.build_failed",
    "scheduling.week.propose",
    "scheduling.week.publish",
    "scheduling.week.queue",
    "scheduling.week.replan",
    "scheduling.week.replan_failed",
    "scheduling.withdraw",
    "sobriety_date.set",
    "staff.create",
    "withdrawal.check",
}
_FAMILIES: set[str] = set()


class UnknownAuditAction(ValueError):
    """``log_action`` was given a name no app registered (tests and DEBUG only)."""


def register_actions(*names: str) -> None:
    """Make NAMES known; ``"prefix.*"`` makes every name under ``prefix.`` known."""
    for name in names:
        if name.endswith(".*"):
            _FAMILIES.add(name[:-1])
        else:
            _KNOWN.add(name)


def is_known(action: str) -> bool:
    return action in _KNOWN or any(action.startswith(prefix) for prefix in _FAMILIES)


def known_actions() -> frozenset[str]:
    """Every registered name (families as ``"prefix.*"``)."""
    return frozenset(_KNOWN | {f"{prefix}*" for prefix in _FAMILIES})


def check_action(action: str) -> None:
    """Refuse an unknown ACTION when ``OPENIOP_AUDIT_STRICT_ACTIONS`` is on (tests, DEBUG)."""
    if is_known(action) or not getattr(settings, "OPENIOP_AUDIT_STRICT_ACTIONS", False):
        return
    raise UnknownAuditAction(
        f"Unknown audit action {action!r}: register it with "
        "openiop.audit.actions.register_actions() in the app's apps.py ready()."
    )
