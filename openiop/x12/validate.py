# SPDX-License-Identifier: AGPL-3.0-or-later
"""Structural validation of X12 files with pyx12, as plain sentences.

pyx12 checks loops, segment order and counts, element lengths and its own
code lists for 837I, 837P, 835, 277 and 999. It does not check situational
rules or code values (type of bill, revenue, ICD-10-CM, HCPCS/CPT): the claim
scrubber does that first. It has no 5010 270/271 maps, so those cannot be
validated here and say so.

Everything happens in memory: the text goes in as a StringIO and the errors
come back as JSON in another; no file is written and nothing leaves the host.
"""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyx12.errors
import pyx12.map_if
import pyx12.map_index
import pyx12.params
import pyx12.x12file
import pyx12.x12n_document

# pyx12 logs every problem at ERROR level quoting the segment, i.e. patient
# names and member IDs. We return the problems to the caller instead, so its
# log records must not reach the application's logs.
_pyx12_logger = logging.getLogger("pyx12")
_pyx12_logger.addHandler(logging.NullHandler())
_pyx12_logger.propagate = False

# pyx12 parses its XML maps (with their code lists) again on every call,
# about 0.7 s for an 837. The parsed maps are only read while validating (the
# walker keeps its counts apart), so one parse per map and settings serves
# every later call; the cache key includes the parameters the map is built
# with. This replaces pyx12.map_if.load_map_file, which x12n_document calls.
_original_load_map_file = pyx12.map_if.load_map_file
_loaded_maps: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], Any] = {}
_loading = threading.Lock()


def _load_map_file_once(map_file: str, param: pyx12.params.ParamsBase, map_path: str | None = None) -> Any:
    key = (map_file, map_path, tuple(sorted((name, repr(value)) for name, value in param.params.items())))
    with _loading:
        if key not in _loaded_maps:
            _loaded_maps[key] = _original_load_map_file(map_file, param, map_path)
        return _loaded_maps[key]


if getattr(pyx12.map_if.load_map_file, "__name__", "") != _load_map_file_once.__name__:
    pyx12.map_if.load_map_file = _load_map_file_once


def validate(text: str, *, workers: int = 1) -> list[str]:
    """pyx12's findings for ``text`` as plain sentences; empty means valid.

    ``workers`` > 1 validates the transaction sets of a large interchange in
    that many forked processes (for batch jobs and the benchmark, not inside
    a web request): pyx12 checks about 2,700 segments a second on one core.
    Every segment is still validated by pyx12 and the envelope's counts are
    checked against the whole; line numbers refer to the original file.
    """
    if not text or not text.lstrip().startswith("ISA"):
        return ["The file does not start with an ISA segment, so it is not an X12 interchange."]
    if workers > 1:
        parts = _split_transaction_sets(text.lstrip(), workers)
        if parts is not None:
            return _validate_parts(parts, workers)
    return _validate_whole(text)


def _validate_whole(text: str, renumber: Callable[[int], int] | None = None) -> list[str]:
    errors_json = io.StringIO()
    try:
        valid = pyx12.x12n_document.x12n_document(
            pyx12.params.params(),
            io.StringIO(text),
            None,
            None,
            None,
            fd_json=errors_json,
        )
    except pyx12.errors.EngineError as error:
        return [_engine_message(str(error))]
    except pyx12.errors.X12Error as error:
        return [f"The file could not be read as X12: {error}."]
    messages = _sentences(errors_json.getvalue(), renumber or (lambda line: line))
    if not valid and not messages:
        # pyx12 refused the text before it could report anything itemised.
        messages = ["pyx12 could not read the file as X12 (check the ISA segment and its delimiters)."]
    return messages


@dataclass(frozen=True)
class _Part:
    """Some of an interchange's transaction sets, re-enveloped on their own."""

    text: str
    first_set_line: int  # line of the part's first ST in the original file
    set_lines: int  # how many lines its transaction sets take
    trailer_line: int  # line of the original GE


def _split_transaction_sets(text: str, parts: int) -> list[_Part] | None:
    """The interchange cut between transaction sets into about ``parts``
    pieces, each with the original ISA and GS and a GE/IEA counting its own
    sets; None when the text is not one group of several sets written one
    segment per line, or its trailers do not match (the whole is then
    validated in one piece, so pyx12 reports the mismatch itself)."""
    if len(text) < 106:
        return None
    separator, terminator = text[3], text[105]
    segments = [segment.strip() for segment in text.split(terminator)]
    if segments and segments[-1] == "":
        segments.pop()
    if len(segments) < 6 or any("\n" in segment or not segment for segment in segments):
        return None
    ids = [segment.split(separator, 1)[0] for segment in segments]
    if ids[0] != "ISA" or ids[1] != "GS" or ids[-2:] != ["GE", "IEA"] or ids.count("GS") != 1:
        return None
    starts = [index for index, name in enumerate(ids) if name == "ST"]
    ends = [index for index, name in enumerate(ids) if name == "SE"]
    if len(starts) < 2 or len(starts) != len(ends) or starts[0] != 2 or ends[-1] != len(ids) - 3:
        return None
    if any(end + 1 != start for end, start in zip(ends, starts[1:], strict=False)):
        return None
    isa, gs = segments[0].split(separator), segments[1].split(separator)
    ge, iea = segments[-2].split(separator), segments[-1].split(separator)
    if ge[1:3] != [str(len(starts)), gs[6]] or iea[1:3] != ["1", isa[13]]:
        return None
    per_part = -(-len(starts) // parts)
    pieces: list[_Part] = []
    for first in range(0, len(starts), per_part):
        begin = starts[first]
        finish = ends[min(first + per_part, len(starts)) - 1]
        count = min(per_part, len(starts) - first)
        body = segments[begin : finish + 1]
        trailer = [separator.join(["GE", str(count), gs[6]]), separator.join(["IEA", "1", isa[13]])]
        lines = [segments[0], segments[1], *body, *trailer]
        pieces.append(
            _Part(
                text="".join(f"{line}{terminator}\n" for line in lines),
                first_set_line=begin + 1,
                set_lines=len(body),
                trailer_line=len(segments) - 1,
            )
        )
    return pieces


def _validate_parts(parts: list[_Part], workers: int) -> list[str]:
    _load_maps_for(parts[0].text)  # forked workers inherit the parsed maps
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=context) as pool:
        results = list(pool.map(_validate_part, parts))
    return [message for messages in results for message in messages]


def _validate_part(part: _Part) -> list[str]:
    def renumber(line: int) -> int:
        if line <= 2:
            return line  # ISA and GS are the original's
        if line <= 2 + part.set_lines:
            return part.first_set_line + line - 3
        return part.trailer_line + line - 3 - part.set_lines

    return _validate_whole(part.text, renumber)


def _load_maps_for(text: str) -> None:
    """Parse the control map and the transaction's map into the cache."""
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        group = next(segment for segment in reader if segment.get_seg_id() == "GS")
        param = pyx12.params.params()
        pyx12.map_if.load_map_file("x12.control.00501.xml", param)
        map_file = pyx12.map_index.map_index().get_filename(
            reader.icvn, group.get_value("GS08"), group.get_value("GS01")
        )
        if map_file:
            pyx12.map_if.load_map_file(map_file, param)
    except (pyx12.errors.X12Error, pyx12.errors.EngineError, StopIteration):
        return  # each worker then loads (or fails to load) the maps itself


def _engine_message(detail: str) -> str:
    if detail.startswith("Map not found"):
        which = detail.removeprefix("Map not found.").strip()
        return f"pyx12 has no map for this transaction ({which}), so it cannot be validated."
    return f"pyx12 stopped on the file: {detail}."


def _sentences(raw: str, renumber: Callable[[int], int]) -> list[str]:
    if not raw.strip():
        return []
    document: dict[str, Any] = json.loads(raw)
    messages: list[str] = []
    for exchange in document.get("interchanges", []):
        where = f"Interchange {exchange.get('isa_trn_set_id', '')}".strip()
        messages.extend(_listed(where, exchange.get("errors", [])))
        for group in exchange.get("groups", []):
            group_where = f"Functional group {group.get('gs_control_num', '')}".strip()
            messages.extend(_listed(group_where, group.get("errors", [])))
            for transaction in group.get("transactions", []):
                set_where = (
                    f"Transaction set {transaction.get('trn_set_id', '')} "
                    f"{transaction.get('trn_set_control_num', '')}".strip()
                )
                messages.extend(_listed(set_where, transaction.get("errors", [])))
                for found in transaction.get("segments", []):
                    messages.extend(_segment_sentences(found, renumber))
    return messages


def _listed(where: str, errors: list[dict[str, Any]]) -> list[str]:
    return [f"{where}: {_clean(error.get('err_str', ''))}" for error in errors]


def _segment_sentences(found: dict[str, Any], renumber: Callable[[int], int]) -> list[str]:
    segment_id = found.get("seg_id", "")
    line = found.get("cur_line")
    if isinstance(line, int):
        line = renumber(line)
    name = found.get("name", "")
    where = f"Line {line}, {segment_id} segment" if line else f"{segment_id} segment"
    if name:
        where += f" ({name})"
    messages = [_with_value(f"{where}: {_clean(error.get('err_str', ''))}", error) for error in found.get("errors", [])]
    for element in found.get("elements", []):
        position = element.get("ele_pos")
        label = f"{segment_id}{position:02d}" if isinstance(position, int) else segment_id
        if element.get("subele_pos"):
            label += f"-{element['subele_pos']}"
        element_where = f"Line {line}, {label}" if line else label
        if element.get("name"):
            element_where += f" ({element['name']})"
        messages.extend(
            _with_value(f"{element_where}: {_clean(error.get('err_str', ''))}", error)
            for error in element.get("errors", [])
        )
    return messages


def _with_value(sentence: str, error: dict[str, Any]) -> str:
    value = error.get("err_val")
    if value not in (None, "") and str(value) not in sentence:
        sentence += f" (value {value!r})"
    return sentence


def _clean(message: str) -> str:
    """pyx12's messages, tidied into one sentence each."""
    cleaned = " ".join(str(message).split())
    if cleaned and cleaned[-1] not in ".!?":
        cleaned += "."
    return cleaned
