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
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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

    The tagger reads the rule mentions as features and its mentions replace the rules' for its
    classes where they overlap (it learned where the rules are right); rule mentions it does
    not overlap are kept.
    """
    mentions: list[Mention] = []
    observations: list[ObservationMention] = []
    for info in REGISTRY.values():
        for item in info.func(doc):
            (observations if isinstance(item, ObservationMention) else mentions).append(item)
    if tagger is not None:
        mentions = merge(mentions, tagger.mentions(doc, mentions))
    mentions.sort(key=lambda m: (m.start, m.end, m.kind))
    observations.sort(key=lambda o: (o.start, o.indicator, o.measure))
    return mentions, observations


def merge(rules: list[Mention], tagged: list[Mention]) -> list[Mention]:
    """``tagged`` plus the ``rules`` mentions that overlap none of them (places always kept).

    >>> a = Mention("Project", "衢丽铁路", "衢丽铁路", 0, 2, 6)
    >>> b = Mention("Project", "铁路", "铁路", 0, 4, 6)
    >>> c = Mention("Policy", "八八战略", "八八战略", 1, 10, 14)
    >>> [m.label for m in merge([b, c], [a])]
    ['八八战略', '衢丽铁路']
    """
    from kg.extract.tagger import CLASSES

    spans = sorted((m.start, m.end) for m in tagged)
    starts = [s for s, _ in spans]
    kept = []
    for m in rules:
        if m.kind in CLASSES:
            k = bisect_right(starts, m.end - 1)
            if any(e > m.start for _s, e in spans[max(0, k - 8) : k]):
                continue
        kept.append(m)
    return kept + list(tagged)


# Importing the modules registers their extractors (order = run order).
for _module in ("places", "indicators", "projects", "policies", "industry_chains"):
    importlib.import_module(f"kg.extract.{_module}")
