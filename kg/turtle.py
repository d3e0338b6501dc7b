"""Turtle and TriG that read well: prefixed names without escapes, one subject per paragraph.

pyoxigraph's serializer shortens every IRI under a prefix and escapes what a local name may not
hold (``gkr:report\\/330800-2024\\/sentence\\/3``, ``policy:2\\%2B2``). Here an IRI is written
as a prefixed name only when some prefix leaves a local name that Turtle's grammar (``PN_LOCAL``)
takes as it is, and whole (``<…>``) otherwise. Literals are quoted as N-Triples quotes them (by
pyoxigraph), with a prefixed datatype; integers, decimals and booleans take Turtle's short
forms when those read back as the same literal. The output reads back as the same triples or
quads with pyoxigraph and rdflib alike (``tests/test_export.py``).

>>> from pyoxigraph import Literal, NamedNode, Triple
>>> city = NamedNode("https://w3id.org/gov-kg/id/city/330800")
>>> label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
>>> n = NamedNode("https://w3id.org/gov-kg/ontology#n")
>>> three = Literal("3", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
>>> print(turtle([Triple(city, label, Literal("衢州市")), Triple(city, n, three)],
...              {"city": "https://w3id.org/gov-kg/id/city/",
...               "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}).decode())
@prefix city: <https://w3id.org/gov-kg/id/city/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<BLANKLINE>
city:330800 rdfs:label "衢州市" ;
    <https://w3id.org/gov-kg/ontology#n> 3 .
<BLANKLINE>
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby
from typing import IO

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Triple

from kg.vocab import RDF, XSD

# Turtle 1.1's PN_CHARS_BASE, PN_CHARS and PLX (§6.5): what a local name may hold unescaped.
_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
         "\u200c\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
         "\U00010000-\U000effff")
_CHARS = _BASE + "_0-9\\-\u00b7\u0300-\u036f\u203f\u2040"
_PLX = "%[0-9A-Fa-f]{2}"
_LOCAL = re.compile(f"(?:(?:[{_BASE}_0-9]|{_PLX})(?:(?:[{_CHARS}.]|{_PLX})*(?:[{_CHARS}]|{_PLX}))?)?")
_PREFIX = re.compile(f"(?:[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?)?")
_SHORT = {  # datatype → the lexical forms Turtle writes bare and reads back as that datatype
    XSD.integer.value: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal.value: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    "http://www.w3.org/2001/XMLSchema#boolean": re.compile(r"true|false"),
}
_TYPE = RDF.type
_CACHE = 100_000  # IRIs remembered as written
_CHUNK = 2000  # paragraphs buffered between writes
_WIDTH = 96  # a predicate's objects longer than this go one a line


class _Names:
    """IRIs as prefixed names or ``<…>``, memoised (a store repeats its predicates and nodes)."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        bad = [p for p in prefixes if not _PREFIX.fullmatch(p)]
        if bad:
            raise ValueError(f"not Turtle prefix names: {', '.join(bad)}")
        # the longest namespace first: ``city:330800`` before ``gkr:city/330800``
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        text = self.cache.get(iri)
        if text is None:
            text = next((f"{p}:{iri[len(ns):]}" for p, ns in self.prefixes
                         if iri.startswith(ns) and _LOCAL.fullmatch(iri, len(ns))), f"<{iri}>")
            if len(self.cache) > _CACHE:  # bounded: a large store has millions of IRIs
                self.cache.clear()
            self.cache[iri] = text
        return text

    def term(self, term) -> str:
        if isinstance(term, NamedNode):
            return self.iri(term.value)
        if isinstance(term, Literal):
            if term.language or getattr(term, "direction", None):
                return str(term)
            datatype = term.datatype.value
            if datatype == XSD.string.value:
                return str(term)
            short = _SHORT.get(datatype)
            if short is not None and short.fullmatch(term.value):
                return term.value
            return f"{Literal(term.value)}^^{self.iri(datatype)}"
        return str(term)  # a blank node (``_:id``) or a quoted triple, as N-Triples writes them


_DIGITS = re.compile(r"(\d+)")


def natural(term) -> tuple:
    """A sort key that puts ``sentence:9`` before ``sentence:10`` and a node before the nodes
    minted under its IRI."""
    parts = _DIGITS.split(getattr(term, "value", None) or str(term))
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


class _Counted:
    """An iterable that counts what it yields."""

    def __init__(self, items: Iterable) -> None:
        self.items, self.n = items, 0

    def __iter__(self) -> Iterator:
        for item in self.items:
            self.n += 1
            yield item


def _paragraphs(triples: Iterable[Triple | Quad], names: _Names, indent: str) -> Iterable[str]:
    """One paragraph per subject: ``a`` first, a predicate's objects joined by commas."""
    for _, same_subject in groupby(triples, key=lambda t: t.subject):
        group = list(same_subject)
        lines = []
        for predicate, same_predicate in groupby(group, key=lambda t: t.predicate):
            p = "a" if predicate == _TYPE else names.iri(predicate.value)
            objects = [names.term(t.object) for t in same_predicate]
            line = f"{p} {', '.join(objects)}"
            if len(line) > _WIDTH:  # one object a line
                line = f"{p}\n{indent}        " + f",\n{indent}        ".join(objects)
            lines.append(line)
        head = f"{indent}{names.term(group[0].subject)} "
        yield head + f" ;\n{indent}    ".join(lines) + " .\n"


def _write_paragraphs(out: _Out, triples: Iterable[Triple | Quad], names: _Names,
                      indent: str = "") -> None:
    for i, paragraph in enumerate(_paragraphs(triples, names, indent)):
        out.write(f"\n{paragraph}" if i else paragraph)


def _header(names: _Names) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in
                   sorted(names.prefixes, key=lambda kv: kv[0])) + "\n"


class _Out:
    """Text written to a binary stream in chunks."""

    def __init__(self, output: IO[bytes]) -> None:
        self.output = output
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.append(text)
        if len(self.lines) >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        self.output.write("".join(self.lines).encode("utf-8"))
        self.lines = []


def write_turtle(triples: Iterable[Triple | Quad], output: IO[bytes],
                 prefixes: Mapping[str, str]) -> int:
    """Write ``triples`` as Turtle, a paragraph per run of triples about one subject (give
    them grouped by subject: ``kg.export.triples``); the number of triples."""
    names, out = _Names(prefixes), _Out(output)
    counted = _Counted(triples)
    out.write(_header(names))
    _write_paragraphs(out, counted, names)
    out.flush()
    return counted.n


def write_trig(quads: Iterable[Quad], output: IO[bytes], prefixes: Mapping[str, str]) -> int:
    """Write ``quads`` as TriG, a block per run of quads in one named graph (the default
    graph's unwrapped), in the order given (``kg.export.quads``); the number of quads."""
    names, out = _Names(prefixes), _Out(output)
    counted = _Counted(quads)
    out.write(_header(names))
    for graph, same_graph in groupby(counted, key=lambda q: q.graph_name):
        if isinstance(graph, DefaultGraph):
            _write_paragraphs(out, same_graph, names)
            out.write("\n")
            continue
        out.write(f"{names.term(graph)} {{\n")
        _write_paragraphs(out, same_graph, names, "    ")
        out.write("}\n\n")
    out.flush()
    return counted.n


def turtle(triples: Iterable[Triple], prefixes: Mapping[str, str]) -> bytes:
    """``write_turtle`` into bytes, the triples sorted by subject first."""
    buffer = io.BytesIO()
    ordered = sorted(triples, key=lambda t: (natural(t.subject), t.predicate != _TYPE,
                                             str(t.predicate), str(t.object)))
    write_turtle(ordered, buffer, prefixes)
    return buffer.getvalue()
