# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read X12 5010 interchanges into segments and transactions.

The delimiters come from the ISA header, which is fixed-width: the element
separator is the character right after "ISA", the repetition separator is
ISA11 (position 82), the component separator ISA16 (position 104) and the
segment terminator follows it (position 105). Newlines between segments are
tolerated, because clearinghouses often wrap files one segment per line.

Every envelope is checked (ISA13 = IEA02 and the group count, GS06 = GE02 and
the transaction count, ST02 = SE02 and the segment count), so a truncated or
spliced file is refused with a sentence saying what is wrong rather than read
halfway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from openiop.x12.errors import X12Error

ISA_LENGTH = 106
LINE_BREAKS = "\r\n"


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str


@dataclass(frozen=True)
class Segment:
    """One segment; ``segment[n]`` is element n (1-based), "" when absent."""

    id: str
    elements: tuple[str, ...]
    position: int
    delimiters: Delimiters

    def __getitem__(self, index: int) -> str:
        if index < 1 or index > len(self.elements):
            return ""
        return self.elements[index - 1]

    def components(self, index: int) -> tuple[str, ...]:
        """Element ``index`` split on the component separator."""
        value = self[index]
        return tuple(value.split(self.delimiters.component)) if value else ()

    def component(self, index: int, part: int) -> str:
        """Component ``part`` (1-based) of element ``index``, "" when absent."""
        parts = self.components(index)
        return parts[part - 1] if 0 < part <= len(parts) else ""

    def repetitions(self, index: int) -> tuple[str, ...]:
        value = self[index]
        return tuple(value.split(self.delimiters.repetition)) if value else ()

    def __str__(self) -> str:
        return self.delimiters.element.join((self.id, *self.elements))


@dataclass(frozen=True)
class Transaction:
    """One ST..SE transaction set with the group that carried it."""

    set_id: str  # ST01, e.g. "835"
    control_number: str  # ST02
    functional_id: str  # GS01, e.g. "HP"
    version: str  # GS08, e.g. "005010X221A1"
    group_control_number: str  # GS06
    interchange_control_number: str  # ISA13
    segments: tuple[Segment, ...]  # ST through SE inclusive

    @property
    def body(self) -> tuple[Segment, ...]:
        """The segments between ST and SE."""
        return self.segments[1:-1]


@dataclass(frozen=True)
class Interchange:
    sender_id: str
    receiver_id: str
    control_number: str
    usage: str  # ISA15: P production, T test
    delimiters: Delimiters
    transactions: tuple[Transaction, ...] = field(default=())


def read_delimiters(text: str) -> Delimiters:
    """The delimiters declared by the ISA header at the start of ``text``."""
    if not text.startswith("ISA"):
        raise X12Error("This is not an X12 file: it does not start with an ISA header.")
    if len(text) < ISA_LENGTH:
        raise X12Error("The file is too short to hold the 106-character ISA header; it may be truncated.")
    element = text[3]
    delimiters = Delimiters(element=element, component=text[104], segment=text[105], repetition=text[82])
    if element.isalnum() or text[:105].count(element) != 16:
        raise X12Error(
            "The ISA header is not the fixed 106 characters with 16 elements, so its delimiters cannot be read."
        )
    if delimiters.segment.isalnum() or delimiters.component.isalnum():
        raise X12Error("The ISA header declares a letter or digit as a delimiter.")
    return delimiters


def split_segments(text: str) -> tuple[Delimiters, list[Segment]]:
    """All segments of ``text``, with positions counted from 1 at the first ISA."""
    text = text.lstrip("\ufeff \t\r\n")
    delimiters = read_delimiters(text)
    segments: list[Segment] = []
    for raw in text.split(delimiters.segment):
        raw = raw.strip(LINE_BREAKS + " \t")
        if not raw:
            continue
        parts = raw.split(delimiters.element)
        segment_id = parts[0].strip()
        position = len(segments) + 1
        if not segment_id.isalnum() or not 2 <= len(segment_id) <= 3:
            raise X12Error(f"“{raw[:20]}” is not a segment.", segment_position=position)
        segments.append(Segment(segment_id, tuple(parts[1:]), position, delimiters))
    return delimiters, segments


def read_interchanges(text: str) -> list[Interchange]:
    """Every interchange in ``text``, with its envelopes checked."""
    delimiters, segments = split_segments(text)
    interchanges: list[Interchange] = []
    index = 0
    while index < len(segments):
        interchange, index = _read_interchange(segments, index, delimiters)
        interchanges.append(interchange)
    return interchanges


def read_transactions(text: str, set_id: str | None = None) -> list[Transaction]:
    """The transaction sets in ``text`` (only those of ``set_id`` when given)."""
    return [
        transaction
        for interchange in read_interchanges(text)
        for transaction in interchange.transactions
        if set_id is None or transaction.set_id == set_id
    ]


def require_transactions(text: str, set_id: str, version_prefix: str, name: str) -> list[Transaction]:
    """The ``set_id`` transactions of ``text``; refuse a file that holds none or another version."""
    transactions = read_transactions(text)
    wanted = [t for t in transactions if t.set_id == set_id]
    if not wanted:
        found = ", ".join(sorted({t.set_id for t in transactions})) or "no transaction"
        raise X12Error(f"This file holds no {name} ({set_id}); it holds {found}.")
    for transaction in wanted:
        version = transaction.segments[0][3] or transaction.version
        if not version.startswith(version_prefix):
            raise X12Error(
                f"The {name} is version {version or 'unknown'}, not {version_prefix}.",
                segment_position=transaction.segments[0].position,
            )
    return wanted


def _read_interchange(segments: list[Segment], index: int, delimiters: Delimiters) -> tuple[Interchange, int]:
    isa = segments[index]
    if isa.id != "ISA":
        raise X12Error(f"Expected an ISA header, found {isa.id}.", segment_position=isa.position)
    control = isa[13].strip()
    transactions: list[Transaction] = []
    groups = 0
    index += 1
    while True:
        if index >= len(segments):
            raise X12Error(
                f"The file ends before the interchange trailer (IEA) of interchange {control}; "
                "it is probably truncated."
            )
        segment = segments[index]
        if segment.id == "IEA":
            break
        if segment.id != "GS":
            raise X12Error(
                f"Expected a functional group (GS) or the IEA trailer, found {segment.id}.",
                segment_position=segment.position,
            )
        group_transactions, index = _read_group(segments, index, control)
        transactions.extend(group_transactions)
        groups += 1
    iea = segments[index]
    if iea[2].strip() != control:
        raise X12Error(
            f"The interchange control number in IEA ({iea[2]}) does not match the ISA ({control}).",
            segment_position=iea.position,
        )
    if _count(iea[1], "IEA", iea) != groups:
        raise X12Error(
            f"IEA says the interchange holds {iea[1]} functional group(s) but it holds {groups}.",
            segment_position=iea.position,
        )
    interchange = Interchange(
        sender_id=isa[6].strip(),
        receiver_id=isa[8].strip(),
        control_number=control,
        usage=isa[15].strip(),
        delimiters=delimiters,
        transactions=tuple(transactions),
    )
    return interchange, index + 1


def _read_group(segments: list[Segment], index: int, interchange_control: str) -> tuple[list[Transaction], int]:
    gs = segments[index]
    control = gs[6]
    transactions: list[Transaction] = []
    index += 1
    while True:
        if index >= len(segments):
            raise X12Error(
                f"The file ends inside functional group {control} (no GE trailer); it is probably truncated."
            )
        segment = segments[index]
        if segment.id == "GE":
            break
        if segment.id in {"IEA", "ISA", "GS"}:
            raise X12Error(
                f"Functional group {control} has no GE trailer before {segment.id}; the file is probably damaged.",
                segment_position=segment.position,
            )
        if segment.id != "ST":
            raise X12Error(
                f"Expected a transaction set (ST) or the GE trailer, found {segment.id}.",
                segment_position=segment.position,
            )
        end = _find_se(segments, index)
        transactions.append(
            Transaction(
                set_id=segment[1],
                control_number=segment[2],
                functional_id=gs[1],
                version=gs[8],
                group_control_number=control,
                interchange_control_number=interchange_control,
                segments=tuple(segments[index : end + 1]),
            )
        )
        index = end + 1
    ge = segments[index]
    if ge[2] != control:
        raise X12Error(
            f"The group control number in GE ({ge[2]}) does not match the GS ({control}).",
            segment_position=ge.position,
        )
    if _count(ge[1], "GE", ge) != len(transactions):
        raise X12Error(
            f"GE says group {control} holds {ge[1]} transaction set(s) but it holds {len(transactions)}.",
            segment_position=ge.position,
        )
    return transactions, index + 1


def _find_se(segments: list[Segment], start: int) -> int:
    st = segments[start]
    for index in range(start + 1, len(segments)):
        segment = segments[index]
        if segment.id in {"ST", "GE", "GS", "IEA", "ISA"}:
            raise X12Error(
                f"Transaction set {st[1]} {st[2]} has no SE trailer before {segment.id}; "
                "the file is probably truncated.",
                segment_position=segment.position,
            )
        if segment.id == "SE":
            if segment[2] != st[2]:
                raise X12Error(
                    f"The transaction control number in SE ({segment[2]}) does not match the ST ({st[2]}).",
                    segment_position=segment.position,
                )
            count = index - start + 1
            if _count(segment[1], "SE", segment) != count:
                raise X12Error(
                    f"SE says transaction set {st[2]} has {segment[1]} segments but it has {count}.",
                    segment_position=segment.position,
                )
            return index
    raise X12Error(f"The file ends inside transaction set {st[1]} {st[2]} (no SE trailer); it is probably truncated.")


def _count(value: str, where: str, segment: Segment) -> int:
    try:
        return int(value)
    except ValueError:
        raise X12Error(
            f"The count in {where} ({value or 'empty'}) is not a number.",
            segment_position=segment.position,
        ) from None


# Walking loops ---------------------------------------------------------------


def split_loops(
    segments: Sequence[Segment], starts: Iterable[str], stops: Iterable[str] = ()
) -> tuple[list[Segment], list[list[Segment]]]:
    """Cut ``segments`` into loops, each beginning at a segment whose id is in ``starts``.

    Returns the segments before the first loop, and the loops. A loop runs
    until the next start; a segment whose id is in ``stops`` ends the walk (it
    and what follows belong to neither).
    """
    start_ids, stop_ids = set(starts), set(stops)
    before: list[Segment] = []
    loops: list[list[Segment]] = []
    for segment in segments:
        if segment.id in stop_ids:
            break
        if segment.id in start_ids:
            loops.append([segment])
        elif loops:
            loops[-1].append(segment)
        else:
            before.append(segment)
    return before, loops


def first(segments: Iterable[Segment], segment_id: str, **qualifiers: str) -> Segment | None:
    """The first ``segment_id`` segment whose elements match, e.g. ``first(s, "REF", e1="EA")``."""
    for segment in segments:
        if segment.id == segment_id and all(segment[int(key[1:])] == value for key, value in qualifiers.items()):
            return segment
    return None


@dataclass
class HierarchicalLevel:
    """An HL loop: its id, parent id, level code (HL03) and its own segments."""

    id: str
    parent_id: str
    level_code: str
    segments: list[Segment]
    children: list[HierarchicalLevel] = field(default_factory=list)
    parent: HierarchicalLevel | None = None

    def ancestors(self) -> list[HierarchicalLevel]:
        found: list[HierarchicalLevel] = []
        node = self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


def hierarchical_levels(transaction: Transaction) -> list[HierarchicalLevel]:
    """The HL loops of ``transaction`` in order, linked to their parents."""
    _, loops = split_loops(transaction.body, ["HL"])
    by_id: dict[str, HierarchicalLevel] = {}
    levels: list[HierarchicalLevel] = []
    for loop in loops:
        hl = loop[0]
        level = HierarchicalLevel(id=hl[1], parent_id=hl[2], level_code=hl[3], segments=loop)
        if level.id in by_id:
            raise X12Error(f"HL {level.id} appears twice.", segment_position=hl.position)
        if level.parent_id:
            parent = by_id.get(level.parent_id)
            if parent is None:
                raise X12Error(
                    f"HL {level.id} names parent {level.parent_id}, which does not come before it.",
                    segment_position=hl.position,
                )
            level.parent = parent
            parent.children.append(level)
        by_id[level.id] = level
        levels.append(level)
    return levels


# Values ----------------------------------------------------------------------


def parse_date(value: str, segment: Segment, what: str = "date") -> date:
    """A CCYYMMDD date; a bad one is refused with where it was."""
    try:
        if len(value) != 8 or not value.isdigit():
            raise ValueError
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise X12Error(
            f"The {what} “{value}” in {segment.id} is not a CCYYMMDD date.",
            segment_position=segment.position,
        ) from None


def parse_amount(value: str, segment: Segment, what: str = "amount") -> Decimal:
    """A decimal amount; a bad one is refused with where it was."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not value or not amount.is_finite():
        raise X12Error(
            f"The {what} “{value}” in {segment.id} is not a number.",
            segment_position=segment.position,
        )
    return amount


def optional_amount(value: str, segment: Segment, what: str = "amount") -> Decimal | None:
    return parse_amount(value, segment, what) if value else None
