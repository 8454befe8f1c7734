# SPDX-License-Identifier: AGPL-3.0-or-later
"""The 42 CFR 2.32 notice words, held to the regulation's text (plain test).
The disclosure tests compare a disclosure with NOTICE_TEXT itself, so only
this test fails if the words drift from the rule."""

from __future__ import annotations

from openiop.privacy.information import NOTICE_TEXT, NoticeForm

# 42 CFR 2.32(a)(1) short form and (a)(2) Statement 1, as in the 2024 rule (89 FR 12472).
SHORT_FORM = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
STATEMENT_1 = """This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR
part 2). These rules prohibit you from using or disclosing this record, or testimony that describes the information
contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, State,
or local authority, against the patient, unless authorized by the consent of the patient, except as provided at 42
CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules
prohibit you from making any other use or disclosure of this record unless at least one of the following applies:
(i) Further use or disclosure is expressly permitted by the written consent of the individual whose information is
being disclosed in this record or as otherwise permitted by 42 CFR part 2. (ii) You are a covered entity or business
associate and have received the record for treatment, payment, or health care operations, or (iii) You have received
the record from a covered entity or business associate as permitted by 45 CFR part 164, subparts A and E. A general
authorization for the release of medical or other information is NOT sufficient to meet the required elements of
written consent to further use or redisclose the record (see 42 CFR 2.31)."""


def test_the_short_and_long_notices_are_word_for_word_the_regulations() -> None:
    assert NOTICE_TEXT[NoticeForm.SHORT] == SHORT_FORM
    assert NOTICE_TEXT[NoticeForm.LONG] == " ".join(STATEMENT_1.split())
