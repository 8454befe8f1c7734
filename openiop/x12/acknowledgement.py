# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read a 999 implementation acknowledgement (005010X231A1).

A 999 answers one functional group we sent (AK1: its GS01 code, GS06 control
number and version) and each transaction set in it (AK2 with IK5: accepted or
rejected), with the segment (IK3) and element (IK4) errors that made the
receiver reject it. Everything here is translated into sentences a billing
specialist can act on; the codes stay alongside for the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import takewhile

from openiop.x12.errors import X12Error
from openiop.x12.reader import Segment, Transaction, first, require_transactions, split_loops

# IK501 / AK901 acknowledgement codes.
ACK_CODES = {
    "A": "Accepted",
    "E": "Accepted, with errors noted",
    "M": "Rejected: message authentication failed",
    "P": "Partially accepted: at least one transaction set was rejected",
    "R": "Rejected",
    "W": "Rejected: failed validity tests",
    "X": "Rejected: content could not be analyzed after decryption",
}
ACCEPTED_CODES = frozenset({"A", "E"})

# IK304 segment errors.
SEGMENT_ERRORS = {
    "1": "Unrecognized segment",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs more often than allowed",
    "5": "Segment used more often than allowed",
    "6": "Segment not in this transaction set",
    "7": "Segment out of order",
    "8": "Segment has data element errors",
    "I4": "Segment the guide marks as not used is present",
    "I6": "Segment the guide requires in this situation is missing",
    "I7": "Loop occurs fewer times than the guide requires",
    "I8": "Segment used fewer times than the guide requires",
    "I9": "Segment the guide marks as not used in this situation is present",
}

# IK403 element errors.
ELEMENT_ERRORS = {
    "1": "Required data element missing",
    "2": "Conditionally required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Data element present that another element excludes",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I6": "Code value not used by the implementation guide",
    "I9": "Data element the guide requires in this situation is missing",
    "I10": "Data element the guide marks as not used is present",
    "I11": "Too few repetitions",
    "I12": "Value does not match the guide's pattern",
    "I13": "Data element the guide marks as not used in this situation is present",
}

# IK502-IK506 transaction set errors.
SET_ERRORS = {
    "1": "Transaction set not supported",
    "2": "Transaction set trailer (SE) missing",
    "3": "ST and SE control numbers do not match",
    "4": "Segment count in SE does not match the segments sent",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "18": "Transaction set not in a functional group",
    "19": "Invalid implementation convention reference (ST03)",
    "23": "Transaction set control number not unique within the group",
    "I5": "One or more segments in error by the implementation guide",
    "I6": "Implementation convention not supported",
}

# AK905-AK909 functional group errors.
GROUP_ERRORS = {
    "1": "Functional group not supported",
    "2": "Functional group version not supported",
    "3": "Functional group trailer (GE) missing",
    "4": "GS and GE control numbers do not match",
    "5": "Transaction set count in GE does not match the sets sent",
    "6": "Group control number violates syntax",
    "19": "Group control number not unique within the interchange",
}


@dataclass(frozen=True)
class SyntaxProblem:
    """One IK3 segment error, or one IK4 element error within it."""

    segment_id: str  # IK301
    segment_position: int | None  # IK302, counted from ST
    loop_id: str  # IK303
    code: str  # IK304, or IK403 for an element
    element_position: str = ""  # IK401, e.g. "9" or "9:1"
    element_reference: str = ""  # IK402, the data element dictionary number
    bad_value: str = ""  # IK404
    context: str = ""  # CTX01 components, e.g. "CLM01 PRO2002" (the claim concerned)

    @property
    def description(self) -> str:
        table = ELEMENT_ERRORS if self.element_position else SEGMENT_ERRORS
        what = table.get(self.code, f"Error code {self.code}")
        where = self.segment_id
        if self.element_position:
            position = "".join(takewhile(str.isdigit, self.element_position)).zfill(2)
            where = f"{self.segment_id}{position}"
        place = []
        if self.segment_position is not None:
            place.append(f"segment {self.segment_position}")
        if self.loop_id:
            place.append(f"loop {self.loop_id}")
        if self.context:
            place.append(self.context)
        text = f"{where}: {what}"
        if self.bad_value:
            text += f" (“{self.bad_value}”)"
        return f"{text} [{', '.join(place)}]" if place else text


@dataclass(frozen=True)
class SetAcknowledgement:
    set_id: str  # AK201, e.g. "837"
    control_number: str  # AK202: the ST02 we sent
    version: str  # AK203
    code: str  # IK501
    set_errors: tuple[str, ...]  # IK502-IK506 codes
    problems: tuple[SyntaxProblem, ...]

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED_CODES

    @property
    def description(self) -> str:
        return ACK_CODES.get(self.code, f"Acknowledgment code {self.code}")

    @property
    def errors(self) -> list[str]:
        """Every reason in plain words: the set's own, then each segment and element."""
        reasons = [SET_ERRORS.get(code, f"Error code {code}") for code in self.set_errors]
        return reasons + [problem.description for problem in self.problems]


@dataclass(frozen=True)
class Acknowledgement:
    functional_id: str  # AK101, e.g. "HC"
    group_control_number: str  # AK102: the GS06 we sent
    version: str  # AK103
    code: str  # AK901
    sets_included: int  # AK902
    sets_received: int  # AK903
    sets_accepted: int  # AK904
    group_errors: tuple[str, ...]  # AK905-AK909 in plain words
    sets: tuple[SetAcknowledgement, ...]
    interchange_control_number: str  # of the 999 itself

    @property
    def accepted(self) -> bool:
        """True when the whole group was accepted (partial acceptance is not)."""
        return self.code in ACCEPTED_CODES

    @property
    def description(self) -> str:
        return ACK_CODES.get(self.code, f"Acknowledgment code {self.code}")


def read_999(text: str) -> list[Acknowledgement]:
    """One acknowledgement per 999 transaction in ``text``; X12Error when unreadable."""
    return [
        _read_acknowledgement(transaction)
        for transaction in require_transactions(text, "999", "005010X231", "implementation acknowledgment")
    ]


def _read_acknowledgement(transaction: Transaction) -> Acknowledgement:
    header, set_loops = split_loops(transaction.body, ["AK2"], stops=["AK9"])
    ak1 = first(header, "AK1")
    ak9 = first(transaction.body, "AK9")
    if ak1 is None or not ak1[2]:
        raise X12Error(
            "The 999 does not say which functional group it acknowledges (AK1).",
            segment_position=transaction.segments[0].position,
        )
    if ak9 is None or not ak9[1]:
        raise X12Error(
            "The 999 has no group response (AK9); it may be truncated.",
            segment_position=ak1.position,
        )
    sets = tuple(_read_set(loop) for loop in set_loops)
    return Acknowledgement(
        functional_id=ak1[1],
        group_control_number=ak1[2],
        version=ak1[3],
        code=ak9[1],
        sets_included=_number(ak9, 2),
        sets_received=_number(ak9, 3),
        sets_accepted=_number(ak9, 4),
        group_errors=tuple(
            GROUP_ERRORS.get(ak9[index], f"Error code {ak9[index]}") for index in range(5, 10) if ak9[index]
        ),
        sets=sets,
        interchange_control_number=transaction.interchange_control_number,
    )


def _read_set(loop: Sequence[Segment]) -> SetAcknowledgement:
    ak2 = loop[0]
    ik5 = first(loop, "IK5")
    if ik5 is None or not ik5[1]:
        raise X12Error(
            f"The 999 gives no response (IK5) for transaction set {ak2[2]}.",
            segment_position=ak2.position,
        )
    return SetAcknowledgement(
        set_id=ak2[1],
        control_number=ak2[2],
        version=ak2[3],
        code=ik5[1],
        set_errors=tuple(ik5[index] for index in range(2, 7) if ik5[index]),
        problems=tuple(_read_problems(loop)),
    )


def _read_problems(loop: Sequence[Segment]) -> list[SyntaxProblem]:
    problems: list[SyntaxProblem] = []
    _, segment_errors = split_loops(loop, ["IK3"], stops=["IK5"])
    for error in segment_errors:
        ik3 = error[0]
        position = int(ik3[2]) if ik3[2].isdigit() else None
        context = ""
        elements: list[Segment] = []
        for segment in error[1:]:
            if segment.id == "CTX" and not elements:
                context = " ".join(segment.components(1))
            elif segment.id == "IK4":
                elements.append(segment)
        # The IK3 itself is worth listing unless it only says "see the elements" (code 8).
        if ik3[4] != "8" or not elements:
            problems.append(SyntaxProblem(ik3[1], position, ik3[3], ik3[4], context=context))
        for ik4 in elements:
            problems.append(
                SyntaxProblem(
                    ik3[1],
                    position,
                    ik3[3],
                    ik4[3],
                    element_position=ik4[1],
                    element_reference=ik4[2],
                    bad_value=ik4[4],
                    context=context,
                )
            )
    return problems


def _number(segment: Segment, index: int) -> int:
    value = segment[index]
    if not value.isdigit():
        raise X12Error(
            f"{segment.id}{index:02d} should be a count, not “{value}”.",
            segment_position=segment.position,
        )
    return int(value)
