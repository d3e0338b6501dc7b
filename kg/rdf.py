"""Extraction → quads of the report's named graph; references → the entities graph. Every IRI
is minted here.

The layout is documented in ``docs/rdf-model.md``. A report graph holds what is the report's
own (the report, its sentences, mentions with the report's reading of each named thing,
observations); the shared nodes it refers to (places, years, indicators, projects, policies,
industry chains) are described once, in ``ENTITIES_GRAPH``, by ``entity_quads`` from the
references of every report graph. Both are pure functions: the same input gives the same quads,
in the same order.

>>> mint("project", "衢丽铁路").value
'https://w3id.org/gov-kg/id/project/衢丽铁路'
>>> mint("policy", "链长+链主 机制").value
'https://w3id.org/gov-kg/id/policy/链长%2B链主%20机制'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote
from urllib.parse import unquote as percent_decode

from pyoxigraph import Literal, NamedNode, Quad

from kg import meta
from kg.extract.indicators import bound
from kg.extract.names import unquote
from kg.model import Document, Entity, Extraction, ObservationMention, Place, Reference
from kg.vocab import GK, QB, RDF, RDFS, RESOURCE, SKOS, XSD

_DATE = NamedNode(XSD.base + "date")

#: Entity class → (IRI path segment, ontology class).
CLASS_SLUGS = {
    "City": "city",
    "County": "county",
    "Province": "province",
    "Project": "project",
    "Policy": "policy",
    "IndustryChain": "industry-chain",
    "Indicator": "indicator",
}
SLUG_CLASSES = {slug: kind for kind, slug in CLASS_SLUGS.items()} | {"year": "Year"}
PLACE_CLASSES = ("City", "County", "Province")
_ATTR_PROPERTIES = {"type": GK.projectType, "level": GK.policyLevel}
#: The one graph that describes the shared nodes (see ``entity_quads``).
ENTITIES_GRAPH = NamedNode(f"{RESOURCE}graph/entities")
#: The graph of targets against outcomes, derived from the report graphs (``kg.targets``).
TARGETS_GRAPH = NamedNode(f"{RESOURCE}graph/targets")
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def mint(slug: str, key: str) -> NamedNode:
    """IRI of an instance: Unicode kept, ASCII outside ``[A-Za-z0-9-._~]`` percent-encoded."""
    path = "".join(c if ord(c) > 127 or c in _SAFE else quote(c, safe="") for c in key.strip())
    return NamedNode(f"{RESOURCE}{slug}/{path}")


def unmint(iri: str) -> tuple[str, str]:
    """The (class slug, key) an instance IRI was minted from: the inverse of ``mint``.

    >>> unmint(mint("policy", "链长+链主 机制").value)
    ('policy', '链长+链主 机制')
    """
    slug, _, path = iri.removeprefix(RESOURCE).partition("/")
    return slug, percent_decode(path)


def report_iri(doc: Document) -> NamedNode:
    """``gkr:report/<city code>-<year>``, the year being the one the report plans: its report
    year, except for a November or December session, which reviews the year it is delivered
    in and plans the next (so a city's early-2022 and December-2022 reports stay two reports,
    as the sources label them: 2022 and 2023); a content-hash IRI when city or year is unknown.

    >>> from kg.ingest import parse_text
    >>> report_iri(parse_text("——2022年12月30日在马鞍山市第十七届人民代表大会第二次会议上\\n"
    ...                       "一、2022年工作回顾\\n二、2023年工作安排")).value
    'https://w3id.org/gov-kg/id/report/340500-2023'
    >>> report_iri(parse_text("——2022年1月6日在马鞍山市第十七届人民代表大会第一次会议上")).value
    'https://w3id.org/gov-kg/id/report/340500-2022'

    A report that plans no year of its own (:func:`kg.meta.term_session`: a term or mid-year
    session, held after the year's annual one) is ``<city code>-<year>-<month>`` of its
    session, so that it stands beside the annual reports of the years around it:

    >>> report_iri(parse_text("——2022年9月6日在马鞍山市第十八届人民代表大会第一次会议上\\n"
    ...                       "一、过去五年工作回顾\\n二、今后五年的目标任务")).value
    'https://w3id.org/gov-kg/id/report/340500-2022-09'
    """
    if doc.city is not None and doc.report_year is not None:
        if (session := meta.term_session(doc)) is not None:
            return NamedNode(f"{RESOURCE}report/{doc.city.code}-{session:%Y-%m}")
        year = doc.report_year + 1 if doc.review_year == doc.report_year else doc.report_year
        return NamedNode(f"{RESOURCE}report/{doc.city.code}-{year}")
    return NamedNode(f"{RESOURCE}report/h-{doc.content_hash[:16]}")


def year_iri(year: int) -> NamedNode:
    return NamedNode(f"{RESOURCE}year/{year}")


def _int(n: int) -> Literal:
    return Literal(str(int(n)), datatype=XSD.integer)


def _dec(d: Decimal) -> Literal:
    text = format(d.normalize(), "f") if d == d.to_integral() else format(d, "f")
    return Literal(text, datatype=XSD.decimal)


class _Graph:
    """Collects triples of one named graph, without duplicates, in insertion order."""

    def __init__(self, name: NamedNode) -> None:
        self.name = name
        self._seen: dict[tuple, None] = {}

    def add(self, s, p, o) -> None:
        self._seen.setdefault((s, p, o), None)

    def quads(self) -> list[Quad]:
        return [Quad(s, p, o, self.name) for s, p, o in self._seen]


def _place(g: _Graph, place: Place, province: Place | None = None,
           city: Place | None = None) -> NamedNode:
    kind = _place_class(place)
    node = place_iri(place)
    g.add(node, RDF.type, GK[kind])
    g.add(node, RDFS.label, Literal(place.name))
    g.add(node, GK.adcode, Literal(place.code))
    for alias in place.aliases:
        g.add(node, SKOS.altLabel, Literal(alias))
    if kind == "City" and province is not None:
        g.add(node, GK.province, _place(g, province))
    if kind == "County" and city is not None:
        g.add(node, GK.partOf, _place(g, city))
    return node


def _year(g: _Graph, year: int) -> NamedNode:
    node = year_iri(year)
    g.add(node, RDF.type, GK.Year)
    g.add(node, RDFS.label, Literal(str(year)))
    g.add(node, GK.yearValue, _int(year))
    return node


def place_iri(place: Place) -> NamedNode:
    """``gkr:province|city|county/<adcode>``, the class following the gazetteer's level."""
    return mint(CLASS_SLUGS[_place_class(place)], place.code)


def _place_class(place: Place) -> str:
    return {"province": "Province", "city": "City"}.get(place.level, "County")


def entity_iri(entity: Entity, places: dict[str, Place] | None = None) -> NamedNode:
    """The node of a resolved entity: its place IRI (by code) or ``gkr:<class>/<key>``."""
    if entity.kind in ("City", "County"):
        code = entity.attr("code") or entity.key
        place = (places or {}).get(code) or Place(
            code=code, name=entity.label, level="city" if entity.kind == "City" else "county")
        return place_iri(place)
    return mint(CLASS_SLUGS[entity.kind], entity.key)


def to_quads(ex: Extraction, *, places: dict[str, Place] | None = None,
             pipeline_version: str = "") -> list[Quad]:
    """All quads of one report's named graph: the report, its sentences, mentions and
    observations, and links to the shared nodes (described by ``entity_quads``, not here).

    ``places`` maps administrative codes to gazetteer ``Place``s (it decides whether a code is
    a city's or a county's). A mention of a project, policy or industry chain carries the
    report's reading of it: ``gk:canonicalLabel`` and, when the report gives one, its
    ``gk:policyLevel`` / ``gk:projectType``.
    """
    places = places or {}
    doc = ex.document
    report = report_iri(doc)
    g = _Graph(report)
    _describe_report(g, report, doc, pipeline_version)
    title = meta.title_block(doc)
    sentence_nodes = _sentences(g, report, doc, ex, title)
    _describe_title(g, report, title, sentence_nodes)
    city_node = mint("city", doc.city.code) if doc.city else None
    n = 0
    for entity in ex.entities:
        node = entity_iri(entity, places)
        g.add(report, GK.mentions, node)
        for m in entity.mentions:
            mention = NamedNode(f"{report.value}/mention/{n}")
            n += 1
            g.add(mention, RDF.type, GK.Mention)
            g.add(mention, GK.mentionOf, node)
            g.add(mention, GK.surface, Literal(m.surface))
            if entity.kind not in PLACE_CLASSES:
                g.add(mention, GK.canonicalLabel, Literal(entity.label))
                for key, value in entity.attrs:
                    if key in _ATTR_PROPERTIES and value:
                        g.add(mention, _ATTR_PROPERTIES[key], Literal(value))
            g.add(mention, GK.inReport, report)
            g.add(mention, GK.inSentence, sentence_nodes[m.sentence])
            g.add(mention, GK.startOffset, _int(m.start))
            g.add(mention, GK.endOffset, _int(m.end))
    for i, obs in enumerate(ex.observations):
        _observation(g, NamedNode(f"{report.value}/observation/{i}"), obs, report,
                     sentence_nodes[obs.sentence], city_node)
    return g.quads()


def _describe_report(g: _Graph, report: NamedNode, doc: Document, pipeline_version: str) -> None:
    g.add(report, RDF.type, GK.Report)
    city = doc.city.name if doc.city else "未知城市"
    year = f"{doc.report_year}年" if doc.report_year else ""
    g.add(report, RDFS.label, Literal(f"{city}{year}政府工作报告"))
    g.add(report, GK.contentHash, Literal(doc.content_hash))
    g.add(report, GK.characterCount, _int(len(doc.text)))
    if pipeline_version:
        g.add(report, GK.pipelineVersion, Literal(pipeline_version))
    if doc.source:
        g.add(report, GK.sourceFile, Literal(doc.source))
    if doc.city:
        g.add(report, GK.city, place_iri(doc.city))
    for prop, year_value in ((GK.reportYear, doc.report_year), (GK.reviewYear, doc.review_year)):
        if year_value is not None:
            g.add(report, prop, _int(year_value))
            g.add(report, GK.coversYear, year_iri(year_value))


def _describe_title(g: _Graph, report: NamedNode, title: meta.TitleBlock,
                    sentences: dict[int, NamedNode]) -> None:
    """The title block's date, session, speaker and office, each with the line it came from."""
    if title.date is not None and title.date_sentence is not None:
        g.add(report, GK.deliveryDate, Literal(title.date.isoformat(), datatype=_DATE))
        g.add(report, GK.dateSource, sentences[title.date_sentence])
    if title.session and title.session_sentence is not None:
        g.add(report, GK.session, Literal(title.session))
        if title.congress is not None:
            g.add(report, GK.congressNumber, _int(title.congress))
        if title.session_number is not None:
            g.add(report, GK.sessionNumber, _int(title.session_number))
        g.add(report, GK.sessionSource, sentences[title.session_sentence])
    if (title.speaker or title.office) and title.speaker_sentence is not None:
        if title.speaker:
            g.add(report, GK.speaker, Literal(title.speaker))
        if title.office:
            g.add(report, GK.office, Literal(title.office))
        g.add(report, GK.speakerSource, sentences[title.speaker_sentence])


def _sentences(g: _Graph, report: NamedNode, doc: Document, ex: Extraction,
               title: meta.TitleBlock) -> dict[int, NamedNode]:
    """Sentence nodes, only for sentences that carry a fact (keeps the graph small)."""
    used = {m.sentence for e in ex.entities for m in e.mentions}
    used |= {o.sentence for o in ex.observations}
    used |= {i for i in (title.date_sentence, title.session_sentence, title.speaker_sentence)
             if i is not None}
    nodes = {}
    for s in doc.sentences:
        if s.index not in used:
            continue
        node = NamedNode(f"{report.value}/sentence/{s.index}")
        nodes[s.index] = node
        g.add(node, RDF.type, GK.Sentence)
        g.add(node, GK.inReport, report)
        g.add(node, GK.sentenceIndex, _int(s.index))
        g.add(node, GK.text, Literal(doc.text[s.start:s.end]))
        g.add(node, GK.startOffset, _int(s.start))
        g.add(node, GK.endOffset, _int(s.end))
        if s.section:
            g.add(node, GK.section, Literal(s.section))
        g.add(node, GK.sectionKind, Literal(s.kind))
    return nodes


def _observation(g: _Graph, node: NamedNode, obs: ObservationMention, report: NamedNode,
                 sentence: NamedNode, city: NamedNode | None) -> None:
    g.add(node, RDF.type, GK.Observation)
    g.add(node, RDF.type, QB.Observation)
    g.add(node, GK.indicator, mint("indicator", obs.indicator))
    g.add(node, GK.value, _dec(obs.value))
    g.add(node, GK.unit, Literal(obs.unit))
    g.add(node, GK.measure, Literal(obs.measure))
    g.add(node, GK.kind, Literal(obs.kind))
    g.add(node, GK.year, _int(obs.year))
    g.add(node, GK.refPeriod, year_iri(obs.year))
    if city is not None:
        g.add(node, GK.refArea, city)
    g.add(node, GK.surface, Literal(obs.surface))
    if obs.qualifier:
        g.add(node, GK.qualifier, Literal(obs.qualifier))
    g.add(node, GK.bound, Literal(bound(obs.qualifier, obs.kind, obs.measure, obs.value)))
    g.add(node, GK.inReport, report)
    g.add(node, GK.inSentence, sentence)


# --- the entities graph ------------------------------------------------------------------------


def entity_quads(references: Iterable[Reference], places: dict[str, Place]) -> list[Quad]:
    """The quads of ``ENTITIES_GRAPH``: each shared node a report graph refers to, described once.

    A description is the union of what the referring reports say: places from the gazetteer
    (``places`` maps codes, parents included, to ``Place``s; a city with its province, a county
    with its city), years and indicators from their IRIs, and a named entity's class from its
    IRI, its ``rdfs:label`` and attributes from the readings on the reports' mentions, its
    ``skos:altLabel``s from their other surfaces.

    >>> e = mint("policy", "千万工程").value
    >>> refs = [Reference("r1", e, "“千万工程”", "千万工程", (("level", "provincial"),)),
    ...         Reference("r2", e, "千村示范、万村整治工程", "千万工程")]
    >>> [q.object.value for q in entity_quads(refs, {})][1:]
    ['千万工程', 'provincial', '千村示范、万村整治工程']
    """
    g = _Graph(ENTITIES_GRAPH)
    readings: dict[tuple[str, str], list[Reference]] = defaultdict(list)
    for ref in sorted(set(references), key=lambda r: (r.entity, r.report, r.surface, r.label)):
        slug, key = unmint(ref.entity)
        kind = SLUG_CLASSES.get(slug)
        if kind in PLACE_CLASSES:
            place = places.get(key)
            if place is not None:
                parent = places.get(place.parent or "")
                level = _place_class(place)
                _place(g, place, province=parent if level == "City" else None,
                       city=parent if level == "County" else None)
        elif kind == "Year" and key.isdigit():
            _year(g, int(key))
        elif kind == "Indicator":
            g.add(NamedNode(ref.entity), RDF.type, GK.Indicator)
            g.add(NamedNode(ref.entity), RDFS.label, Literal(key))
        elif kind is not None:
            readings[(ref.entity, ref.report)].append(ref)
    for (entity, _report), refs in readings.items():
        _named(g, NamedNode(entity), SLUG_CLASSES[unmint(entity)[0]], refs)
    return g.quads()


def _named(g: _Graph, node: NamedNode, kind: str, refs: list[Reference]) -> None:
    """One report's reading of a project, policy or industry chain."""
    g.add(node, RDF.type, GK[kind])
    labels = {r.label for r in refs if r.label}
    for label in sorted(labels):
        g.add(node, RDFS.label, Literal(label))
    for key, value in sorted({a for r in refs for a in r.attrs}):
        if key in _ATTR_PROPERTIES and value:
            g.add(node, _ATTR_PROPERTIES[key], Literal(value))
    for alias in sorted({unquote(r.surface).strip() for r in refs} - labels - {""}):
        g.add(node, SKOS.altLabel, Literal(alias))
