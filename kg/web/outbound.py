"""No outbound requests unless allowed: ``SERVICE`` in queries and ``LOAD`` in updates.

pyoxigraph's ``Store.query`` / ``Store.update`` fetch a ``SERVICE`` endpoint or a ``LOAD``
source over HTTP themselves, so a client could make the server call any address it names
(server-side request forgery, port scans by timing). Both are checked here, on the text,
before it reaches pyoxigraph: the update tokenizer (``kg.web.update_dataset.tokenize``) finds
the keywords outside strings, IRIs and comments, prefixed names are expanded with the text's
own ``PREFIX`` declarations, and the IRI's host must be one of ``ALLOW_SERVICE`` (``kg serve
--allow-service HOST``, env ``KG_ALLOW_SERVICE``). Host names are compared exactly, never
resolved: listing a name trusts whatever it resolves to. Always refused: a variable endpoint
(``SERVICE ?e``, whose value is only known while the query runs), relative IRIs, schemes other
than http(s) (``file:`` above all) and IRIs with user information.

>>> check("SELECT * { ?s ?p 'SERVICE' }", "SPARQL query", ())
>>> check("SELECT * { SERVICE <http://e.org/sparql> { ?s ?p ?o } }", "SPARQL query", ())
Traceback (most recent call last):
...
kg.errors.QueryError: SPARQL query: federated queries are disabled; start with \
--allow-service HOST (SERVICE <http://e.org/sparql> at 1:12)
>>> check("SELECT * { SERVICE <http://e.org/sparql> { ?s ?p ?o } }", "q", ("e.org",))
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from kg.errors import QueryError
from kg.web.update_dataset import Token, position, tokenize

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_INTERNAL_NAMES = ("localhost", "localhost.localdomain")
DISABLED = "federated queries are disabled; start with --allow-service HOST"
LOAD_DISABLED = "LOAD from the web is disabled; start with --allow-service HOST"


def allowed_hosts(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """The hosts of ``--allow-service`` / ``KG_ALLOW_SERVICE``: repeated, comma-separated or
    both; lower-cased, without IPv6 brackets or a final dot. ``ValueError`` for a URL.

    >>> allowed_hosts("query.wikidata.org, [::1]")
    ('query.wikidata.org', '::1')
    """
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    hosts = []
    for item in items:
        for host in str(item).split(","):
            host = host.strip().lower().rstrip(".")
            if not host:
                continue
            if "/" in host or "@" in host:
                raise ValueError(f"--allow-service {host!r}: give a host name, not a URL")
            hosts.append(host.removeprefix("[").removesuffix("]"))
    return tuple(dict.fromkeys(hosts))


def _internal(host: str) -> bool:
    """A loopback, private, link-local or otherwise non-public address, or ``localhost``."""
    if host in _INTERNAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global


def refusal(iri: str, allowed: Collection[str]) -> str | None:
    """Why the server may not fetch ``iri``, or ``None`` when its host is in ``allowed``.

    >>> refusal("http://query.wikidata.org/sparql", ("query.wikidata.org",)) is None
    True
    >>> refusal("file:///etc/passwd", ("query.wikidata.org",))
    'file: IRIs are never fetched'
    >>> refusal("http://10.0.0.8/sparql", ("query.wikidata.org",))
    "host '10.0.0.8' is a loopback, private or link-local address; it is only allowed when listed exactly in --allow-service"
    """
    if not allowed:
        return DISABLED
    parts = urlsplit(iri)
    scheme = parts.scheme.lower()
    if scheme == "file":
        return "file: IRIs are never fetched"
    if scheme not in ("http", "https"):
        return f"only http(s) IRIs can be allowed, not {scheme + ':' if scheme else 'a relative IRI'}"
    if "@" in parts.netloc:
        return "IRIs with user information are never fetched"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "the IRI has no host"
    if host in allowed:
        return None
    if _internal(host):
        return (f"host {host!r} is a loopback, private or link-local address; it is only "
                "allowed when listed exactly in --allow-service")
    return f"host {host!r} is not in --allow-service ({', '.join(allowed)})"


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _target(token: Token | None, prefixes: dict[str, str]) -> str | None:
    """The absolute IRI ``token`` (an IRI or a prefixed name) stands for; ``None`` if unknown."""
    if token is None:
        return None
    if token.kind == "iri":
        return _unescape(token.text[1:-1])
    if token.kind == "word" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        if prefix + ":" in prefixes:
            return prefixes[prefix + ":"] + _LOCAL_ESCAPE.sub(r"\1", local)
    return None


def check(text: str, name: str, allowed: Collection[str], *, update: bool = False) -> None:
    """Raise ``QueryError`` (naming ``name`` and where) unless every ``SERVICE`` of ``text``,
    and for an ``update`` every ``LOAD``, names an IRI whose host is in ``allowed``."""
    lowered = text.lower()
    if "service" not in lowered and not (update and "load" in lowered):
        return  # the fast lane's common case: no tokenizing
    keywords = ("SERVICE", "LOAD") if update else ("SERVICE",)
    tokens = list(tokenize(text, name))
    prefixes: dict[str, str] = {}
    for i, token in enumerate(tokens):
        if token.kind != "word":
            continue
        keyword = token.text.upper()
        if keyword == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text] = _unescape(tokens[i + 2].text[1:-1])
            continue
        if keyword not in keywords:
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "SILENT":
            j += 1
        operand = tokens[j] if j < len(tokens) else None
        if not allowed:
            reason: str | None = DISABLED if keyword == "SERVICE" else LOAD_DISABLED
        elif operand is not None and operand.kind == "var":
            reason = ("a variable SERVICE endpoint cannot be checked against --allow-service; "
                      "name the endpoint's IRI")
        else:
            iri = _target(operand, prefixes)
            reason = "not an IRI with a known prefix" if iri is None else refusal(iri, allowed)
        if reason is not None:
            what = f"{token.text} {operand.text}" if operand is not None else token.text
            raise QueryError(f"{name}: {reason} ({what} at {position(text, token.start)})")
