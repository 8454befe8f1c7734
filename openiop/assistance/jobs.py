# SPDX-License-Identifier: AGPL-3.0-or-later
"""The payment plans' periodic job: flag missed installments, send reminders,
close plans paid in full.

A reminder says an amount is due, when, and how to pay, signed with the
organization's billing name: nothing about the care (no program name, no
service, no diagnosis), since an e-mail can be read by anyone with the
patient's mailbox and even the fact of treatment is protected (42 CFR Part 2).
Each installment's reminder is claimed with a conditional update before it is
sent, in the same transaction, so two workers never send it twice and a
failed send is tried again on the next pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from openiop.assistance import arithmetic
from openiop.assistance.models import BillingContact, Installment, PaymentPlan, PlanStatus
from openiop.assistance.services import plan_payments
from openiop.audit.services import log_action

CHECK_SECONDS = 3600
# Reminders go out this many days before an installment is due.
REMINDER_DAYS = 5
DEFAULT_BILLING_NAME = "Billing office"
DEFAULT_HOW_TO_PAY = "call the billing office or pay at the front desk"


@dataclass
class PassResult:
    missed: int = 0
    reminders: int = 0
    completed: int = 0


def reminder_message(installment: Installment, contact: BillingContact | None) -> tuple[str, str]:
    """The subject and body of an installment's reminder: an amount, a date,
    how to pay and whom to call. Written in plain English; deliberately no
    name of the program, the site or the care."""
    name = contact.billing_name if contact else DEFAULT_BILLING_NAME
    how = (contact.how_to_pay if contact and contact.how_to_pay else DEFAULT_HOW_TO_PAY).rstrip(".")
    phone = f" at {contact.phone}" if contact and contact.phone else ""
    subject = f"Payment reminder from {name}"
    body = (
        "Hello,\n\n"
        f"This is a reminder that a payment of ${installment.amount:,.2f} on your account is due on "
        f"{installment.due_on:%B} {installment.due_on.day}, {installment.due_on.year}.\n\n"
        f"To pay, {how}.\n\n"
        f"If you have already paid, thank you. With questions, contact {name}{phone}.\n\n"
        f"{name}\n"
    )
    return subject, body


def payment_plans_check(*, today: dt.date | None = None) -> PassResult:
    """One pass over the active plans (the worker runs it hourly)."""
    day = today or timezone.localdate()
    result = PassResult()
    plans = PaymentPlan.objects.filter(status=PlanStatus.ACTIVE).select_related("patient").order_by("pk")
    contacts = {contact.organization_id: contact for contact in BillingContact.objects.all()}
    for plan in plans:
        installments = list(plan.installments.order_by("number"))
        filled = arithmetic.allocate_payments([item.amount for item in installments], plan_payments(plan))
        if all(part >= item.amount for part, item in zip(filled, installments, strict=True)):
            if PaymentPlan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(
                status=PlanStatus.COMPLETED, ended_at=timezone.now()
            ):
                log_action("assistance.plan_completed", obj=plan, actor=None, data={"amount": str(plan.amount)})
                result.completed += 1
            continue
        for item, part in zip(installments, filled, strict=True):
            unpaid = part < item.amount
            if unpaid and item.due_on < day and item.missed_at is None and _flag_missed(item, plan, part):
                result.missed += 1
            due_soon = day <= item.due_on <= day + dt.timedelta(days=REMINDER_DAYS)
            wants_reminder = unpaid and due_soon and item.reminder_sent_at is None and bool(plan.patient.email)
            if wants_reminder and _send_reminder(item, plan, contacts.get(plan.patient.organization_id)):
                result.reminders += 1
    return result


def _flag_missed(item: Installment, plan: PaymentPlan, paid: Decimal) -> bool:
    if not Installment.objects.filter(pk=item.pk, missed_at__isnull=True).update(missed_at=timezone.now()):
        return False  # another pass flagged it first
    log_action(
        "assistance.installment_missed",
        obj=plan,
        actor=None,
        data={"installment": item.number, "due_on": item.due_on, "unpaid": str(item.amount - paid)},
    )
    return True


def _send_reminder(item: Installment, plan: PaymentPlan, contact: BillingContact | None) -> bool:
    with transaction.atomic():
        claimed = Installment.objects.filter(pk=item.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        )
        if not claimed:
            return False
        subject, body = reminder_message(item, contact)
        send_mail(subject, body, None, [plan.patient.email])
        log_action(
            "assistance.reminder_sent",
            obj=plan,
            actor=None,
            data={"installment": item.number, "due_on": item.due_on},
        )
    return True
