# SPDX-License-Identifier: AGPL-3.0-or-later
"""The interchange (ISA/IEA), functional group (GS/GE) and transaction set
(ST/SE) wrapped around every file we send.

The ISA segment is fixed width (106 characters with its terminator): receivers
read the delimiters from fixed positions in it, so its fields are padded, not
trimmed. Control numbers come from ``insurance.services.next_control_numbers``
and must be unique and increasing per sender; the interchange number is
written as 9 digits, as ISA13 requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openiop.x12.segments import (
    COMPONENT_SEPARATOR,
    REPETITION_SEPARATOR,
    SEGMENT_TERMINATOR,
    BuildError,
    code,
    segment,
    text,
)

ISA_VERSION = "00501"
MAX_CONTROL_NUMBER = 999_999_999
ID_QUALIFIERS = ("01", "14", "20", "27", "28", "29", "30", "33", "ZZ")

ST03_NOT_USED = frozenset({"835"})


@dataclass(frozen=True)
class Envelope:
    """Who sends to whom, under which control numbers, and when."""

    sender_id: str
    receiver_id: str
    interchange_control_number: int
    group_control_number: int
    created: datetime
    usage: str = "P"
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"

    def __post_init__(self) -> None:
        # Checked here so that a bad envelope fails before any claim work.
        text(self.sender_id, "Interchange sender ID", max_length=15, min_length=2)
        text(self.receiver_id, "Interchange receiver ID", max_length=15, min_length=2)
        code(self.usage, "Usage indicator (P production, T test)", ("P", "T"))
        code(self.sender_qualifier, "Sender ID qualifier", ID_QUALIFIERS)
        code(self.receiver_qualifier, "Receiver ID qualifier", ID_QUALIFIERS)
        for name, number in (
            ("Interchange control number", self.interchange_control_number),
            ("Group control number", self.group_control_number),
        ):
            if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_CONTROL_NUMBER:
                raise BuildError(name, f"must be a whole number from 1 to {MAX_CONTROL_NUMBER}, not {number!r}.")


def interchange(
    envelope: Envelope,
    *,
    functional_code: str,
    transaction_code: str,
    version: str,
    transactions: Sequence[Sequence[str]],
    acknowledgment_requested: bool = False,
) -> str:
    """The whole interchange text: one functional group holding one
    transaction set per item of ``transactions`` (each the segments between
    ST and SE, without terminators). Segments end with ``~`` and a newline."""
    if not transactions:
        raise BuildError("Transactions", "an interchange needs at least one transaction set.")
    control = f"{envelope.interchange_control_number:09d}"
    group = str(envelope.group_control_number)
    created = envelope.created
    sender = text(envelope.sender_id, "Interchange sender ID", max_length=15, min_length=2)
    receiver = text(envelope.receiver_id, "Interchange receiver ID", max_length=15, min_length=2)
    isa = "*".join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            envelope.sender_qualifier.upper(),
            sender.ljust(15),
            envelope.receiver_qualifier.upper(),
            receiver.ljust(15),
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            REPETITION_SEPARATOR,
            ISA_VERSION,
            control,
            "1" if acknowledgment_requested else "0",
            envelope.usage.upper(),
            COMPONENT_SEPARATOR,
        ]
    )
    lines = [
        isa,
        segment(
            "GS",
            functional_code,
            sender,
            receiver,
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            group,
            "X",
            version,
        ),
    ]
    for index, body in enumerate(transactions, start=1):
        set_control = f"{index:04d}"
        # ST03 names the implementation guide, except in the 835, whose guide
        # marks it not used (pyx12 refuses an 835 that carries it).
        if transaction_code in ST03_NOT_USED:
            lines.append(segment("ST", transaction_code, set_control))
        else:
            lines.append(segment("ST", transaction_code, set_control, version))
        lines.extend(body)
        # SE01 counts every segment of the set, ST and SE included.
        lines.append(segment("SE", str(len(body) + 2), set_control))
    lines.append(segment("GE", str(len(transactions)), group))
    lines.append(segment("IEA", "1", control))
    return "".join(f"{line}{SEGMENT_TERMINATOR}\n" for line in lines)
