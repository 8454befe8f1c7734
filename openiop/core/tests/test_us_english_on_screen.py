"""Staff and public screens speak US English and show no internal identifiers.

Scans what reaches the screen: template text (outside HTML tags and template
variables, with the strings of translate tags kept) and the string literals of
the Python modules (labels, help texts, messages, choice labels, demo data),
leaving out identifiers, docstrings and the apps written in US spelling from the
start. The Spanish catalogue is checked by its own tests.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import openiop

ROOT = Path(openiop.__file__).parent
SKIPPED = re.compile(r"/(ledger|assistance|estimates|reports|locale|migrations|tests)/")
BRITISH = re.compile(
    r"\b(counsell\w*|behaviour\w*|enrolments?|enrols?|catalogues?|honour\w*|cancelled|colours?|organisations?|"
    r"centres?|licence|practised|practise|acknowledgements?|recognis\w*|unrecognis\w*|analysed|judgement|"
    r"favourable|grey|neighbours?)\b",
    re.IGNORECASE,
)
INTERNAL = re.compile(r"OPENIOP_[A-Z_]+|CONFIGURABLE")


def _files(pattern: str) -> list[Path]:
    return [path for path in sorted(ROOT.rglob(pattern)) if not SKIPPED.search(path.as_posix())]


def _template_text(source: str) -> str:
    """The words a template puts on screen (roughly): translate strings and text nodes."""
    kept = re.sub(r"{%\s*(?:translate|trans)\s+(['\"])(.*?)\1[^%]*%}", r" \2 ", source)
    kept = re.sub(r"{#.*?#}|{{.*?}}", " ", kept, flags=re.DOTALL)
    kept = re.sub(r"{%\s*(?:blocktranslate|endblocktranslate|plural)[^%]*%}", " ", kept)
    kept = re.sub(r"{%.*?%}", " ", kept, flags=re.DOTALL)
    return re.sub(r"<[^>]*>", " ", kept)


def _identifier_like(body: str) -> bool:
    return " " not in body and ("_" in body or "/" in body or "." in body or body.islower() or body.isupper())


def _screen_strings(path: Path) -> list[tuple[int, str]]:
    """String literals that may reach a screen: not docstrings, not identifiers; f-string fields dropped."""
    found, previous = [], None
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.STRING:
            prefix, quote = re.match(r"^([a-zA-Z]*)(\"\"\"|'''|\"|')", token.string).groups()  # type: ignore[union-attr]
            body = token.string[len(prefix) + len(quote) : -len(quote)]
            docstring = len(quote) == 3 and (
                previous is None or previous.type in (tokenize.INDENT, tokenize.NEWLINE, tokenize.NL, tokenize.DEDENT)
            )
            if "f" in prefix.lower():
                body = re.sub(r"{[^}]*}", " ", body)
            if not docstring and not _identifier_like(body):
                found.append((token.start[0], body))
        if token.type != tokenize.COMMENT:
            previous = token
    return found


def test_templates_use_us_spelling_and_name_no_setting_or_configurable() -> None:
    problems = []
    for path in _files("*.html"):
        text = _template_text(path.read_text())
        problems += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in BRITISH.finditer(text)]
        problems += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in INTERNAL.finditer(text)]
    assert problems == []


def test_python_strings_that_reach_the_screen_use_us_spelling() -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {match.group(0)}"
        for path in _files("*.py")
        for line, body in _screen_strings(path)
        for match in BRITISH.finditer(body)
    ]
    assert problems == []


def test_the_scan_sees_translate_strings_and_skips_ids_and_variables() -> None:
    text = _template_text('<p id="enrol-filter">{% translate "Enrol patients" %} {{ row.enrolment_id }}</p>')
    assert BRITISH.findall(text) == ["Enrol"]
