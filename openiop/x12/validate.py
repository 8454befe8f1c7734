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
import threading
from typing import Any

import pyx12.errors
import pyx12.map_if
import pyx12.params
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


def validate(text: str) -> list[str]:
    """pyx12's findings for ``text`` as plain sentences; empty means valid."""
    if not text or not text.lstrip().startswith("ISA"):
        return ["The file does not start with an ISA segment, so it is not an X12 interchange."]
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
    messages = _sentences(errors_json.getvalue())
    if not valid and not messages:
        # pyx12 refused the text before it could report anything itemised.
        messages = ["pyx12 could not read the file as X12 (check the ISA segment and its delimiters)."]
    return messages


def _engine_message(detail: str) -> str:
    if detail.startswith("Map not found"):
        which = detail.removeprefix("Map not found.").strip()
        return f"pyx12 has no map for this transaction ({which}), so it cannot be validated."
    return f"pyx12 stopped on the file: {detail}."


def _sentences(raw: str) -> list[str]:
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
                    messages.extend(_segment_sentences(found))
    return messages


def _listed(where: str, errors: list[dict[str, Any]]) -> list[str]:
    return [f"{where}: {_clean(error.get('err_str', ''))}" for error in errors]


def _segment_sentences(found: dict[str, Any]) -> list[str]:
    segment_id = found.get("seg_id", "")
    line = found.get("cur_line")
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
