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
from bisect import bisect_left
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
    learned where the rules are right), see :func:`merge`; its typer then types every project
    (:meth:`kg.extract.tagger.Tagger.typed`).
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
        mentions = tagger.typed(doc, merge(mentions, tagger.mentions(doc, mentions)))
    mentions.sort(key=lambda m: (m.start, m.end, m.kind))
    observations.sort(key=lambda o: (o.start, o.indicator, o.measure))
    return mentions, observations


def merge(rules: list[Mention], tagged: list[Mention]) -> list[Mention]:
    """``tagged`` plus the ``rules`` mentions of classes the tagger does not produce (places,
    indicators). The tagger has already taken the rule names it trusts
    (:meth:`kg.extract.tagger.Tagger.mentions`); each tagged name takes the attributes (type,
    level) of the first rule mention of its class it overlaps.

    >>> a = Mention("Project", "衢丽铁路", "衢丽铁路", 0, 2, 6, (("type", "railway"),))
    >>> b = Mention("Project", "铁路", "铁路", 0, 4, 6, (("type", "railway"),))
    >>> c = Mention("Place", "衢州", "衢州", 1, 10, 12)
    >>> [(m.label, m.attrs) for m in merge([b, c], [a])]
    [('衢州', ()), ('衢丽铁路', (('type', 'railway'),))]
    """
    from kg.extract.tagger import CLASSES

    kept = [m for m in rules if m.kind not in CLASSES]
    covered = [m for m in rules if m.kind in CLASSES]
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
