"""GraphML and GEXF files written as a stream: the bytes networkx's writers give.

networkx builds the whole document in memory first (ElementTree for GEXF): 40 s and gigabytes
for a national store (#12). :func:`write_graphml` and :func:`write_gexf` write the same bytes
element by element (``tests/test_analyses.py`` compares them with networkx's on real and odd
graphs and reads them back).

>>> import networkx as nx, tempfile, pathlib
>>> g = nx.Graph(); g.add_edge("a", "b", weight=2)
>>> p = write_graphml(g, pathlib.Path(tempfile.mkdtemp()) / "g.graphml")
>>> sorted(nx.read_graphml(p).edges(data=True))
[('a', 'b', {'weight': 2})]
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import networkx as nx

_XML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
#: Characters XML 1.0 cannot hold: lxml (networkx's GraphML writer) refuses them too.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_SPECIAL_ATTR = re.compile('[&<>"\r\n\t]').search
_SPECIAL_TEXT = re.compile("[&<>\r]").search
_REFS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;", "\n": "&#10;"}
#: Attributes as lxml (networkx's GraphML writer) and ElementTree (its GEXF writer) escape
#: them, text as lxml does.
_GRAPHML_ATTR = str.maketrans(_REFS | {"\t": "&#9;"})
_GEXF_ATTR = str.maketrans(_REFS | {"\t": "&#09;"})
_GRAPHML_TEXT = str.maketrans({c: _REFS[c] for c in "&<>\r"})


def _gattr(s: str) -> str:
    return s.translate(_GRAPHML_ATTR) if _SPECIAL_ATTR(s) else s


def _eattr(s: str) -> str:
    return s.translate(_GEXF_ATTR) if _SPECIAL_ATTR(s) else s


def _gtext(v: Any) -> str:
    if type(v) is not str:
        return str(v)  # a number
    return v.translate(_GRAPHML_TEXT) if _SPECIAL_TEXT(v) else v


def _xml_type(t: type) -> str:
    try:
        return _XML_TYPES[t]
    except KeyError:
        raise TypeError(f"GraphML and GEXF hold no values of type {t}") from None


def _flush(f, chunk: list[str]) -> None:
    text = "".join(chunk)
    if bad := _NOT_XML.search(text):
        raise ValueError(f"no XML can hold the character {bad.group()!r}: {text[:200]!r}")
    f.write(text)
    chunk.clear()


def write_graphml(g: nx.Graph, path: Path) -> Path:
    """``networkx.write_graphml(g, path)`` (its lxml writer, prettyprinted), streamed.

    >>> import io, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "g.graphml"
    >>> g = nx.Graph([("a", "b")], name="x"); g.nodes["a"]["label"] = "甲"
    >>> _ = write_graphml(g, p); q = Path(str(p) + ".nx"); nx.write_graphml(g, q)
    >>> p.read_bytes() == q.read_bytes()
    True
    """
    seen: dict[tuple[Any, type, str], None] = {}  # in the order networkx meets them
    graph = [(k, v) for k, v in g.graph.items() if k not in ("node_default", "edge_default")]
    for k, v in graph:
        seen[(k, type(v), "graph")] = None
    for _, d in g.nodes(data=True):
        for k, v in d.items():
            seen[(k, type(v), "node")] = None
    for _, _, d in g.edges(data=True):
        for k, v in d.items():
            seen[(k, type(v), "edge")] = None
    keys: dict[tuple[str, str, str], str] = {}
    ids = {}
    for k, t, scope in seen:
        ids[(k, t, scope)] = keys.setdefault((str(k), _xml_type(t), scope), f"d{len(keys)}")
    kind = "directed" if g.is_directed() else "undirected"
    with path.open("w", encoding="utf-8", newline="") as f:
        chunk = ["<?xml version='1.0' encoding='utf-8'?>\n",
                 '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
        for (name, xml_type, scope), i in reversed(keys.items()):
            chunk.append(f'<key id="{i}" for="{scope}" attr.name="{_gattr(name)}" '
                         f'attr.type="{xml_type}"/>\n')
        chunk.append(f'<graph edgedefault="{kind}">')
        for k, v in graph:
            chunk.append(f'<data key="{ids[(k, type(v), "graph")]}">{_gtext(v)}</data>\n')
        for n, d in g.nodes(data=True):
            head = f'<node id="{_gattr(str(n))}"'
            chunk.append(_element(head, "node", d, "node", ids))
            if len(chunk) > 5000:
                _flush(f, chunk)
        for u, v, d in g.edges(data=True):
            head = f'<edge source="{_gattr(str(u))}" target="{_gattr(str(v))}"'
            chunk.append(_element(head, "edge", d, "edge", ids))
            if len(chunk) > 5000:
                _flush(f, chunk)
        chunk.append("</graph></graphml>")
        _flush(f, chunk)
    return path


def _element(head: str, tag: str, data: dict, scope: str, ids: dict) -> str:
    if not data:
        return head + "/>\n"
    body = "".join(f'  <data key="{ids[(k, type(v), scope)]}">{_gtext(v)}</data>\n'
                   for k, v in data.items())
    return f"{head}>\n{body}</{tag}>\n"


_GEXF_HEAD = ('<gexf xmlns="http://www.gexf.net/1.2draft" '
              'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://www.gexf.net/1.2draft '
              'http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
              f"  <meta>\n    <creator>NetworkX {nx.__version__}</creator>\n  </meta>\n")
#: What networkx writes as XML attributes or spells of a node or an edge, not as attvalues.
_GEXF_OWN = {"node": {"label", "spells"}, "edge": {"label", "weight", "spells"}}
_TIMEFORMATS = {str: "date", float: "double", int: "long"}


class _Gexf:
    """The attribute ids and time format of one GEXF document, as networkx's ``GEXFWriter``
    assigns them while it walks the nodes, then the edges."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
        self.count = 0
        self.timeformat: str | None = None

    def time(self, t: Any) -> None:
        if t is not None:
            self.timeformat = _TIMEFORMATS[str if isinstance(t, str) else type(t)]

    def attribute(self, cls: str, mode: str, title: str, v: Any) -> str:
        group = self.ids.setdefault((cls, mode), {})
        if title not in group:
            group[title] = (str(self.count), _xml_type(type(v)))
            self.count += 1
        return group[title][0]

    def element(self, cls: str, head: str, data: dict, indent: str) -> str:
        """One ``<node>`` or ``<edge>``: its spells, then its attvalues."""
        skip = _GEXF_OWN[cls]
        spells = data.get("spells")
        out = [head]
        if spells:
            out.append(f"{indent}  <spells>\n")
            for start, end in spells:
                self.time(start)
                self.time(end)
                out.append(f"{indent}    <spell{_when(start, end)} />\n")
            out.append(f"{indent}  </spells>\n")
        values = []
        mode = "static"
        for k, v in data.items():
            if k in skip:
                continue
            if isinstance(v, list):
                # the type and mode of the first timed value, else of the last (networkx's)
                t, start, end = next((x for x in v if x[1] is not None or x[2] is not None),
                                     v[-1])
                if start is not None or end is not None:
                    mode = "dynamic"
                    self.time(start)
                    self.time(end)
                i = self.attribute(cls, mode, str(k), t)
                values += [f'<attvalue for="{i}" value="{_value(t)}"{_when(start, end)} />'
                           for t, start, end in v]
            else:
                mode = "static"
                i = self.attribute(cls, mode, str(k), v)
                t = type(v)
                text = str(v) if t is int else _eattr(v) if t is str else _value(v)
                values.append(f'<attvalue for="{i}" value="{text}" />')
        if values:
            out.append(f"{indent}  <attvalues>\n")
            out += [f"{indent}    {a}\n" for a in values]
            out.append(f"{indent}  </attvalues>\n")
        if len(out) == 1:
            return head[:-2] + " />\n"
        out.append(f"{indent}</{cls}>\n")
        return "".join(out)


def _when(start: Any, end: Any) -> str:
    return ((f' start="{_eattr(str(start))}"' if start is not None else "")
            + (f' end="{_eattr(str(end))}"' if end is not None else ""))


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    s = str(v)
    if isinstance(v, float):
        s = {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(s, s)
    return _eattr(s)


def write_gexf(g: nx.Graph, path: Path) -> Path:
    """``networkx.write_gexf(g, path)`` (GEXF 1.2draft, prettyprinted) for the attributes
    ``kg analyze`` writes (``label``, ``spells``, an edge's ``weight``, values and lists of
    (value, start, end)), without the date it was written; streamed, the nodes and edges through
    ``<path>.part``, as their attribute ids come first in the file.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "g.gexf"
    >>> g = nx.Graph([("a", "b", {"weight": 2})], name="x"); g.nodes["a"]["label"] = "甲"
    >>> theirs = "\\n".join(nx.generate_gexf(g)).replace(
    ...     re.search(r' lastmodifieddate="[^"]*"', "\\n".join(nx.generate_gexf(g))).group(), "")
    >>> write_gexf(g, p).read_text() == f"<?xml version='1.0' encoding='utf-8'?>\\n{theirs}\\n"
    True
    """
    doc = _Gexf()
    part = path.with_name(path.name + ".part")
    with part.open("wb") as f:
        chunk = ["    <nodes>\n"] if len(g) else ["    <nodes />\n"]
        for n, d in g.nodes(data=True):
            label = d.get("label", n)
            head = (f'      <node id="{_eattr(str(n))}" '
                    f'label="{_eattr(str(label))}">\n')
            chunk.append(doc.element("node", head, d, "      "))
            if len(chunk) > 5000:
                _flush_ascii(f, chunk)
        if len(g):
            chunk.append("    </nodes>\n")
        chunk.append("    <edges>\n" if g.number_of_edges() else "    <edges />\n")
        for i, (u, v, d) in enumerate(g.edges(data=True)):
            own = "".join(f' {k}="{_eattr(str(d[k]))}"' for k in ("label", "weight")
                          if k in d)
            head = (f'      <edge source="{_eattr(str(u))}" '
                    f'target="{_eattr(str(v))}" id="{i}"{own}>\n')
            chunk.append(doc.element("edge", head, d, "      "))
            if len(chunk) > 5000:
                _flush_ascii(f, chunk)
        if g.number_of_edges():
            chunk.append("    </edges>\n")
        _flush_ascii(f, chunk)
    mode = "dynamic" if g.graph.get("mode") == "dynamic" or doc.timeformat else "static"
    timeformat = f' timeformat="{doc.timeformat}"' if doc.timeformat else ""
    kind = "directed" if g.is_directed() else "undirected"
    top = [f'  <graph defaultedgetype="{kind}" mode="{mode}" '
           f'name="{_eattr(str(g.graph.get("name", "")))}"{timeformat}>\n']
    for (cls, group_mode), group in reversed(doc.ids.items()):
        top.append(f'    <attributes mode="{group_mode}" class="{cls}">\n')
        top += [f'      <attribute id="{i}" title="{_eattr(title)}" type="{t}" />\n'
                for title, (i, t) in group.items()]
        top.append("    </attributes>\n")
    with path.open("wb") as f:
        f.write(b"<?xml version='1.0' encoding='utf-8'?>\n")
        _flush_ascii(f, [_GEXF_HEAD, *top])
        with part.open("rb") as body:
            shutil.copyfileobj(body, f, 1 << 20)
        f.write(b"  </graph>\n</gexf>\n")
    part.unlink()
    return path


def _flush_ascii(f, chunk: list[str]) -> None:
    text = "".join(chunk)
    if bad := _NOT_XML.search(text):
        raise ValueError(f"no XML can hold the character {bad.group()!r}: {text[:200]!r}")
    f.write(text.encode("ascii", "xmlcharrefreplace"))
    chunk.clear()
