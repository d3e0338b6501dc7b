"""The SPARQL 1.1 Protocol's ``using-graph-uri`` / ``using-named-graph-uri`` for updates.

pyoxigraph's ``Store.update`` takes no dataset, so the dataset is written into the update:
``USING <g>`` / ``USING NAMED <g>`` right before the top-level ``WHERE`` of every Modify
operation (``[WITH] DELETE {…} [INSERT {…}] WHERE`` or ``INSERT {…} WHERE``). A small
tokenizer finds those keywords: it skips comments, IRIs and the four kinds of string, and
counts braces, so a ``WHERE`` in a string, IRI, comment or prefixed name is never touched.

>>> apply_protocol_dataset('INSERT { ?s a <C> } WHERE { ?s ?p "where" }', ["http://e/g"], [])
'INSERT { ?s a <C> } USING <http://e/g> WHERE { ?s ?p "where" }'
>>> apply_protocol_dataset("DELETE WHERE { ?s ?p ?o }", ["http://e/g"], [])
'DELETE WHERE { ?s ?p ?o }'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from pyoxigraph import NamedNode

from kg.errors import QueryError

# SPARQL's IRIREF terminal, with the \u / \U escapes SPARQL allows anywhere
_IRIREF = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
# characters that end a word (keyword, prefixed name, number, language tag); '.' only ends it
# when what follows cannot continue a prefixed name ("ex:a.b" is one name)
_DELIMITERS = frozenset(" \t\r\n{}()[];,<>\"'#?$=!|&^*/+.")
_VAR_END = _DELIMITERS | frozenset(":-\\@%")
# colon-less words after which "(" does not open an expression (a collection or VALUES row)
_NOT_CALLS = frozenset({"A", "VALUES", "UNDEF", "TRUE", "FALSE", "GRAPH"})
# keywords that change what a "(" in the enclosing braces opens
_CLAUSES = {"SELECT": "projection", "WHERE": "pattern", "BY": "modifier", "HAVING": "modifier",
            "LIMIT": "pattern", "OFFSET": "pattern", "VALUES": "pattern"}


class Token(NamedTuple):
    """One token: ``kind`` is iri, string, var, word or punct; ``depth`` counts the braces
    around it (a ``{`` or ``}`` counts as outside)."""

    kind: str
    text: str
    start: int
    depth: int


def position(text: str, offset: int) -> str:
    """``line:column`` (both from 1) of ``offset`` in ``text``.

    >>> position("a\\nbc", 3)
    '2:2'
    """
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return f"{line}:{column}"


def _operand_end(token: Token | None) -> bool:
    """Whether an expression operand can end with ``token`` (so a ``<`` after it compares)."""
    if token is None:
        return False
    if token.kind in ("var", "string", "iri"):
        return True
    if token.kind == "punct":
        return token.text == ")"
    return ":" in token.text or _literal_word(token.text)


def _literal_word(word: str) -> bool:
    """A number, a language tag, ``true`` or ``false``."""
    digits = word.lstrip("+-")
    return (word[0] == "@" or (digits != "" and digits[0] in "0123456789.")
            or word.upper() in ("TRUE", "FALSE"))


def tokenize(text: str, name: str = "SPARQL update") -> Iterator[Token]:
    """The tokens of a SPARQL update or query, without whitespace and comments.

    ``<`` is the less-than operator, not an IRI, right after an operand inside an expression
    (``FILTER(?a<'x>')``), as Oxigraph's parser reads it. Raises ``QueryError`` (naming
    ``name``) for an unterminated string or unbalanced braces.

    >>> [t.text for t in tokenize("INSERT{?s ex:where 'a}'}# WHERE\\nwhere{?s?p<x>}")]
    ['INSERT', '{', '?s', 'ex:where', "'a}'", '}', 'where', '{', '?s', '?p', '<x>', '}']
    """
    # one frame per open "{" or "(": "{" holds the clause ("pattern", "projection" after
    # SELECT, "modifier" after GROUP/ORDER BY and HAVING); "(" is "expr" or "list"
    frames: list[str] = []
    depth = 0
    previous: Token | None = None
    before: Token | None = None  # the token before ``previous``
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        start = i
        if c in " \t\r\n":
            i += 1
            continue
        if c == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
            continue
        top = frames[-1] if frames else ""
        if c in "'\"":
            kind = "string"
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while True:
                if i >= n or (len(quote) == 1 and text[i] in "\r\n"):
                    raise QueryError(f"{name}: unterminated string at "
                                     f"{position(text, start)}")
                if text[i] == "\\":
                    i += 2
                elif text.startswith(quote, i):
                    i += len(quote)
                    break
                else:
                    i += 1
        elif c == "<":
            comparison = top == "expr" and _operand_end(previous)
            match = None if comparison else _IRIREF.match(text, i)
            kind = "iri" if match else "punct"
            i = match.end() if match else i + 1
        elif c in "?$" and i + 1 < n and text[i + 1] not in _VAR_END:
            kind = "var"
            i += 1
            while i < n and text[i] not in _VAR_END:
                i += 1
        elif c in _DELIMITERS and not (c == "." and i + 1 < n and text[i + 1].isdigit()):
            kind = "punct"
            i += 1
        else:
            kind = "word"
            while i < n:
                if text[i] == "\\":  # ex:a\#b, ex:a\'b: escaped local-name characters
                    i += 2
                elif text[i] == "." and i + 1 < n and text[i + 1] not in _DELIMITERS:
                    i += 1
                elif text[i] not in _DELIMITERS:
                    i += 1
                else:
                    break
            i = min(i, n)
        token = Token(kind, text[start:i], start, depth)
        if kind == "punct" and c == "{":
            if top == "projection":
                frames[-1] = "pattern"  # SELECT * { … }: WHERE is optional in a subquery
            frames.append("pattern")
            depth += 1
        elif kind == "punct" and c == "}":
            while frames and frames[-1] in ("expr", "list"):
                frames.pop()  # a "(" left open inside the braces: Oxigraph will say so
            if not frames:
                raise QueryError(f"{name}: unbalanced '}}' at {position(text, start)}")
            frames.pop()
            depth -= 1
            token = token._replace(depth=depth)
        elif kind == "punct" and c == "(":
            frames.append(_paren_kind(top, previous, before))
        elif kind == "punct" and c == ")":
            if top in ("expr", "list"):
                frames.pop()
        elif kind == "word" and top in ("pattern", "projection", "modifier"):
            frames[-1] = _CLAUSES.get(token.text.upper(), top)
        yield token
        before, previous = previous, token
    if depth:
        raise QueryError(f"{name}: {depth} unclosed '{{' at the end")


def _paren_kind(top: str, previous: Token | None, before: Token | None) -> str:
    """Whether a ``(`` in frame ``top`` after ``previous`` opens an expression ("expr") or a
    list (a collection, a VALUES row, a property path)."""
    if not top or previous is None:
        return "list"
    if top in ("expr", "projection", "modifier"):
        return "expr"  # nested call, SELECT (… AS ?x), ORDER BY (…), HAVING (…)
    if previous.kind == "word" and ":" not in previous.text and not (
            _literal_word(previous.text) or previous.text.upper() in _NOT_CALLS):
        return "expr"  # FILTER (, BIND (, STR (, REGEX (
    if previous.kind in ("word", "iri") and before is not None and before.kind == "word" and (
            before.text.upper() == "FILTER"):
        return "expr"  # FILTER ex:f(…)
    return "list"


def _iri(parameter: str, iri: str) -> str:
    try:
        return str(NamedNode(iri))
    except ValueError as e:
        raise QueryError(f"{parameter}: {iri!r} is not a valid absolute IRI ({e})") from None


def apply_protocol_dataset(update: str, using: list[str], using_named: list[str]) -> str:
    """``update`` with ``USING <g>`` for each of ``using`` and ``USING NAMED <g>`` for each of
    ``using_named`` before the ``WHERE`` of each of its Modify operations.

    Other operations (``INSERT DATA``, ``DELETE WHERE``, ``LOAD``, ``CLEAR`` …) are left
    as they are. Raises ``QueryError`` for a parameter that is not an absolute IRI, or when the
    update has its own ``USING`` or ``WITH`` (the protocol forbids both at once).

    >>> apply_protocol_dataset("insert {?s a <C>} where {GRAPH ?g {?s ?p ?o}}",
    ...                        [], ["http://e/g"])
    'insert {?s a <C>} USING NAMED <http://e/g> where {GRAPH ?g {?s ?p ?o}}'
    >>> apply_protocol_dataset("WITH <http://e/g> DELETE {?s ?p ?o} WHERE {?s ?p ?o}",
    ...                        ["http://e/g"], [])
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: SPARQL update: using-graph-uri / using-named-graph-uri cannot be \
combined with WITH (at 1:1) in the update; give the dataset one way only
    >>> apply_protocol_dataset("INSERT DATA {}", ["g"], [])
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: using-graph-uri: 'g' is not a valid absolute IRI (No scheme found \
in an absolute IRI)
    """
    clauses = "".join(f"USING {_iri('using-graph-uri', g)} " for g in using)
    clauses += "".join(f"USING NAMED {_iri('using-named-graph-uri', g)} " for g in using_named)
    if not clauses:
        return update
    wheres: list[int] = []
    previous: Token | None = None
    for token in tokenize(update):
        if token.kind == "word" and token.depth == 0:
            keyword = token.text.upper()
            if keyword in ("USING", "WITH"):
                raise QueryError(
                    "SPARQL update: using-graph-uri / using-named-graph-uri cannot be combined "
                    f"with {keyword} (at {position(update, token.start)}) in the update; give "
                    "the dataset one way only")
            if keyword == "WHERE" and not (previous is not None and previous.kind == "word"
                                           and previous.text.upper() == "DELETE"):
                wheres.append(token.start)
        previous = token
    parts, last = [], 0
    for at in wheres:
        parts += [update[last:at], clauses]
        last = at
    parts.append(update[last:])
    return "".join(parts)
