"""The values passed between pipeline stages: small frozen dataclasses, nothing else.

Data flows one way (see ``docs/architecture.md``)::

    file → Document → Mention / ObservationMention → Entity / Observation → quads → store

This module imports nothing from the rest of ``kg``.

Offsets: ``start``/``end`` are always character offsets into ``Document.text`` (the decoded,
*original* text), end-exclusive, so ``doc.text[m.start:m.end]`` is what the report says.
Extractors work on ``Sentence.text`` (the *normalised* text); ``Document.to_original`` maps a
normalised offset back.

>>> s = Sentence(index=0, start=0, end=4, text="增长6%", section="二、2024年目标", kind="plan")
>>> s.kind
'plan'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

#: Entity classes a Mention can have (also the ``?class`` values of ``queries/mentions.rq``).
ENTITY_CLASSES = ("City", "County", "Project", "Policy", "IndustryChain")
#: Observation measures and kinds (closed lists, also enforced by the SHACL shapes).
MEASURES = ("level", "growth", "share", "intensity")
KINDS = ("actual", "target")
#: Section kinds: the review of the past year, the plan for the coming one, anything else.
SECTION_KINDS = ("review", "plan", "other")
#: Policy levels.
LEVELS = ("national", "provincial", "municipal")


@dataclass(frozen=True)
class Place:
    """An administrative division from the gazetteer.

    ``level`` is ``province``, ``city`` (prefecture level, incl. the four municipalities) or
    ``county`` (county-level: 区, 县, 县级市, 旗 …). ``parent`` is the parent's ``code``.
    """

    code: str  # 6-digit administrative code, e.g. "330800"
    name: str  # full name, e.g. "衢州市"
    level: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()  # suffix-less forms, e.g. ("衢州",)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a report.

    ``text`` is normalised (half-width digits and ASCII %, no spaces inside numbers, no line
    breaks inside words); ``start``/``end`` locate the *original* sentence in ``Document.text``.
    ``norm_start`` is where ``text`` starts in ``Document.norm``.
    """

    index: int
    start: int
    end: int
    text: str
    section: str = ""  # the heading path, e.g. "二、2024年目标任务 / （一）…"
    kind: str = "other"  # one of SECTION_KINDS: is this sentence in the review or the plan?
    paragraph: int = 0
    norm_start: int = 0


@dataclass(frozen=True)
class Document:
    """A decoded, normalised, segmented report with its inferred city and years.

    ``offsets[i]`` is the index in ``text`` of character ``i`` of ``norm``
    (``len(offsets) == len(norm) + 1``; the last entry is ``len(text)``).
    """

    text: str
    norm: str
    offsets: tuple[int, ...]
    sentences: tuple[Sentence, ...]
    content_hash: str  # sha256 hex of the UTF-8 encoded decoded text
    source: str = ""  # file name, provenance only: never used for inference
    city: Place | None = None
    report_year: int | None = None
    review_year: int | None = None
    evidence: tuple[str, ...] = ()  # short human-readable reasons for city and years

    def to_original(self, norm_index: int) -> int:
        """Map an offset in ``norm`` to the offset in ``text``."""
        return self.offsets[norm_index]

    def span(self, sentence: Sentence, start: int, end: int) -> tuple[int, int]:
        """Original-text span of ``sentence.text[start:end]``."""
        a = self.offsets[sentence.norm_start + start]
        b = self.offsets[sentence.norm_start + end - 1] + 1 if end > start else a
        return a, b


@dataclass(frozen=True)
class Mention:
    """One occurrence of a named thing, as an extractor found it.

    ``kind`` is one of ENTITY_CLASSES. ``label`` is the extractor's canonical name for it
    (``衢丽铁路`` for the surface ``衢丽铁路衢州至松阳段``); ``attrs`` holds class-specific
    facts as sorted (key, value) pairs: ``("level", "provincial")`` for policies,
    ``("type", "railway")`` for projects, ``("code", "330802")`` for places.
    """

    kind: str
    label: str
    surface: str
    sentence: int  # Sentence.index
    start: int  # offsets in Document.text
    end: int
    attrs: tuple[tuple[str, str], ...] = ()

    def attr(self, key: str, default: str | None = None) -> str | None:
        return dict(self.attrs).get(key, default)


@dataclass(frozen=True)
class ObservationMention:
    """A figure for an indicator, as the indicator extractor found it.

    ``indicator`` is the canonical Chinese name (the list in the gold GUIDELINES);
    ``qualifier`` keeps 左右 / 以上 / 以内 / 突破 / 超过 / 预计 when the text says so, and a
    range's two ends (``6.5-7``) where the text gives one; ``value`` is then its low end.
    """

    indicator: str
    surface: str
    value: Decimal
    unit: str
    measure: str  # one of MEASURES
    kind: str  # one of KINDS
    year: int
    sentence: int
    start: int
    end: int
    qualifier: str = ""


@dataclass(frozen=True)
class Entity:
    """A resolved entity: one node shared across reports.

    ``key`` determines the IRI (stable across builds): the canonical label for named things,
    the administrative code for places. ``mentions`` are this report's occurrences.
    """

    kind: str
    key: str
    label: str
    attrs: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = field(default=(), compare=False)

    def attr(self, key: str, default: str | None = None) -> str | None:
        return dict(self.attrs).get(key, default)


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one report: the input of ``kg.rdf``."""

    document: Document
    entities: tuple[Entity, ...]
    observations: tuple[ObservationMention, ...]


@dataclass(frozen=True)
class Reference:
    """A report graph's reference to a shared node, as ``kg.rdf.entity_quads`` reads it.

    ``report`` and ``entity`` are IRIs. For a mention of a project, policy or industry chain,
    ``surface`` is how the report writes it and ``label`` / ``attrs`` are the report's reading
    of it (canonical label; ``("level", …)`` or ``("type", …)``); other references (a place,
    year or indicator) carry the IRIs alone.
    """

    report: str
    entity: str
    surface: str = ""
    label: str = ""
    attrs: tuple[tuple[str, str], ...] = ()
