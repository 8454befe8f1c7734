# SPDX-License-Identifier: AGPL-3.0-or-later
"""The words every Good Faith Estimate carries (45 CFR 149.610(c), after the
wording of the HHS standard form). Kept as data: the document template and
the tests read them from here, so a sentence cannot go missing from one
without the other noticing."""

from __future__ import annotations

from decimal import Decimal

HHS_WEBSITE = "www.cms.gov/nosurprises"
HHS_PHONE = "1-800-985-3059"
DISPUTE_DAYS = 120

TITLE = "Good Faith Estimate for Health Care Items and Services"

RIGHT_TO_ESTIMATE = (
    "You have the right to receive a Good Faith Estimate explaining how much your medical care will cost. Under the "
    "law, health care providers need to give patients who don't have insurance or who are not using insurance an "
    "estimate of the bill for medical items and services."
)

# The disclaimers, in the order the document shows them.
ONLY_AN_ESTIMATE = (
    "This Good Faith Estimate shows the costs of items and services that are reasonably expected for your health care "
    "needs. It is only an estimate, based on information known at the time it was created: actual items, services or "
    "charges may differ from it."
)
SEPARATE_ITEMS = (
    "There may be additional items or services we recommend as part of your course of care that must be scheduled or "
    "requested separately and are not reflected in this Good Faith Estimate."
)
SEPARATELY_SCHEDULED = (
    "Expected to be scheduled separately and not included here: medication management by a prescriber, definitive "
    "(laboratory) drug testing, and medical care outside the program."
)
DISPUTE_RIGHT = (
    "If you are billed for at least $400 more than this Good Faith Estimate, you have the right to dispute the bill. "
    "You may contact us to let us know the billed charges are higher than the estimate and ask us to update the bill "
    "to match it, to negotiate the bill, or whether financial assistance is available. You may also start the "
    "patient-provider dispute resolution process with the U.S. Department of Health and Human Services (HHS) within "
    f"{DISPUTE_DAYS} calendar days (about 4 months) of the date on the original bill."
)
HHS_CONTACT = (
    f"To learn more and get a form to start the dispute process, go to {HHS_WEBSITE} or call {HHS_PHONE}. "
    f"For questions about your right to a Good Faith Estimate, visit {HHS_WEBSITE} or call {HHS_PHONE}."
)
NOT_A_CONTRACT = (
    "This Good Faith Estimate is not a contract and does not require you to obtain the items or services from any of "
    "the providers or facilities identified in it."
)
KEEP_A_COPY = (
    "Keep a copy of this Good Faith Estimate in a safe place or take pictures of it. You may need it if you are "
    "billed a higher amount."
)

DISCLAIMERS: tuple[str, ...] = (
    ONLY_AN_ESTIMATE,
    SEPARATE_ITEMS,
    SEPARATELY_SCHEDULED,
    DISPUTE_RIGHT,
    HHS_CONTACT,
    NOT_A_CONTRACT,
    KEEP_A_COPY,
)


def dispute_flag_text(over: Decimal) -> str:
    """What the billing workspace says beside a patient who may dispute."""
    return f"may dispute (billed ${over:,.2f} over the estimate)"
