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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kg.model import Document, Mention, ObservationMention

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


def run_all(doc: Document) -> tuple[list[Mention], list[ObservationMention]]:
    """Run every extractor on ``doc``; mentions and observations, in text order."""
    mentions: list[Mention] = []
    observations: list[ObservationMention] = []
    for info in REGISTRY.values():
        for item in info.func(doc):
            (observations if isinstance(item, ObservationMention) else mentions).append(item)
    mentions.sort(key=lambda m: (m.start, m.end, m.kind))
    observations.sort(key=lambda o: (o.start, o.indicator, o.measure))
    return mentions, observations


# Importing the modules registers their extractors (order = run order).
for _module in ("places", "indicators", "projects", "policies", "industry_chains"):
    importlib.import_module(f"kg.extract.{_module}")
