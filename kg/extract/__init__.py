"""The extractor registry: each extractor registers by name and says what it produces.

An extractor is a pure function ``Document -> Iterable[Mention | ObservationMention]``. It must
never raise on any input text (a Hypothesis test feeds it arbitrary text) and never read files
other than lexicons. ``run_all`` runs every registered extractor in registration order.

>>> sorted(REGISTRY)
['indicators', 'industry_chains', 'places', 'policies', 'projects']
>>> REGISTRY["projects"].produces
('Project',)
"""

from __future__ import annotations

import importlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from kg.model import Document, Mention, ObservationMention

if TYPE_CHECKING:
    from kg.extract.tagger import Tagger

Extractor = Callable[[Document], Iterable[Mention | ObservationMention]]


@dataclass(frozen=True)
class ExtractorInfo:
    name: str
    produces: tuple[str, ...]  # entity classes, or "Observation"
    func: Extractor


REGISTRY: dict[str, ExtractorInfo] = {}


def register(name: str, *, produces: tuple[str, ...]) -> Callable[[Extractor], Extractor]:
    """Decorator: ``@register("projects", produces=("Project",))``."""

    def deco(func: Extractor) -> Extractor:
        REGISTRY[name] = ExtractorInfo(name, produces, func)
        return func

    return deco


def run_all(doc: Document, tagger: Tagger | None = None) -> tuple[list[Mention],
                                                                  list[ObservationMention]]:
    """Run every extractor on ``doc``, then ``tagger`` if given; mentions and observations in
    text order.

    The tagger reads the rule mentions as features and its mentions replace the rules' (it
    learned where the rules are right), see :func:`merge`.
    """
    mentions: list[Mention] = []
    observations: list[ObservationMention] = []
    for info in REGISTRY.values():
        for item in info.func(doc):
            if isinstance(item, ObservationMention):
                observations.append(item)
            else:
                mentions.append(item)
    if tagger is not None:
        mentions = merge(mentions, tagger.mentions(doc, mentions))
    mentions.sort(key=lambda m: (m.start, m.end, m.kind))
    observations.sort(key=lambda o: (o.start, o.indicator, o.measure))
    return mentions, observations


#: Classes whose rule mentions the tagger does not overlap are kept beside its own. For
#: projects the rules are features only: leave-one-report-out on four reports (临沂, 宁德,
#: 铜仁, 马鞍山), projects F1 0.524 with the rules' extra mentions dropped against 0.505 with
#: them kept (policies 0.569 / 0.566, chains 0.431 / 0.468, so those keep theirs).
RULES_BESIDE_TAGGER = frozenset({"Policy", "IndustryChain"})


def merge(rules: list[Mention], tagged: list[Mention]) -> list[Mention]:
    """``tagged`` plus the ``rules`` mentions it does not replace: places and indicators
    always, and those of :data:`RULES_BESIDE_TAGGER` that overlap no tagged mention.

    >>> a = Mention("Project", "衢丽铁路", "衢丽铁路", 0, 2, 6)
    >>> b = Mention("Project", "铁路", "铁路", 0, 4, 6)
    >>> c = Mention("Policy", "八八战略", "八八战略", 1, 10, 14)
    >>> [m.label for m in merge([b, c], [a])]
    ['八八战略', '衢丽铁路']
    """
    from kg.extract.tagger import CLASSES

    spans = sorted((m.start, m.end) for m in tagged)
    starts = [s for s, _ in spans]
    kept, covered = [], []
    for m in rules:
        if m.kind in CLASSES:
            # tagged spans are disjoint: only the last one starting before m ends can reach it
            k = bisect_right(starts, m.end - 1)
            if m.kind not in RULES_BESIDE_TAGGER or (k and spans[k - 1][1] > m.start):
                covered.append(m)
                continue
        kept.append(m)
    return kept + _with_rule_attrs(tagged, covered)


def _with_rule_attrs(tagged: list[Mention], rules: list[Mention]) -> list[Mention]:
    """Each tagged mention with the attributes of the first rule mention (in ``rules``' order)
    of its class it overlaps: the rules read a type or level from more context (the verb, a
    marker before the quote). Rule mentions are looked up by start (bisect), not scanned for
    each tagged one: a scan made a long text quadratic."""
    with_attrs = sorted(((m.start, i, m) for i, m in enumerate(rules) if m.attrs),
                        key=lambda x: (x[0], x[1]))
    starts = [s for s, _, _ in with_attrs]
    longest = max((m.end - m.start for _, _, m in with_attrs), default=0)
    out = []
    for t in tagged:
        lo, hi = bisect_left(starts, t.start - longest), bisect_left(starts, t.end)
        hits = [(i, m) for _, i, m in with_attrs[lo:hi]
                if m.kind == t.kind and m.start < t.end and t.start < m.end]
        out.append(replace(t, attrs=min(hits, key=lambda x: x[0])[1].attrs) if hits else t)
    return out


# Importing the modules registers their extractors (order = run order).
for _module in ("places", "indicators", "projects", "policies", "industry_chains"):
    importlib.import_module(f"kg.extract.{_module}")
