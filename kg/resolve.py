"""Mentions → entities: one node per canonical name (or administrative code), stable across reports.

The key of a named thing is its canonical label in :func:`kg.extract.names.norm_key` form
(no quotation marks, NFKC, no whitespace), after lexicon aliases are mapped to their canonical
name, so ``“千村示范、万村整治”工程`` and ``千万工程`` are one entity, and the same project
named in two cities' reports gets the same key (hence the same IRI). Places are keyed by their
``code`` attribute.

>>> from kg.model import Mention
>>> ms = [Mention("Policy", "千万工程", "“千万工程”", 0, 3, 9, (("level", "provincial"),)),
...       Mention("Policy", "千村示范、万村整治工程", "“千村示范、万村整治”工程", 1, 20, 34)]
>>> [(e.key, e.label, e.aliases, e.attr("level")) for e in resolve(None, ms)]
[('千万工程', '千万工程', ('千村示范、万村整治工程',), 'provincial')]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from kg.extract.industry_chains import canonical_chain
from kg.extract.names import close_brackets, norm_key, unquote
from kg.extract.policy_names import canonical_policy
from kg.extract.projects import canonical_project
from kg.model import Document, Entity, Mention

PLACE_KINDS = ("City", "County")
#: The one canonical form of each named kind; the extractors name their mentions with the same
#: functions, and the tagger's mentions get theirs here.
CANONICAL: dict[str, Callable[[str], str]] = {
    "Project": canonical_project,
    "Policy": canonical_policy,
    "IndustryChain": canonical_chain,
}


def canonical_label(kind: str, label: str) -> str:
    """The canonical label of a name of class ``kind`` (lexicon aliases, project segments).

    >>> canonical_label("Project", "甲乙铁路甲城至乙镇段")
    '甲乙铁路'
    >>> canonical_label("Policy", "“千村示范、万村整治”工程")
    '千万工程'
    >>> canonical_label("IndustryChain", "涂料新材料产业")
    '涂料新材料'
    """
    func = CANONICAL.get(kind)
    return func(close_brackets(label)) if func else unquote(label).strip()


def entity_key(mention: Mention) -> str:
    """Grouping key: the place code, or the normalised canonical label."""
    if mention.kind in PLACE_KINDS:
        return mention.attr("code") or norm_key(mention.label)
    return norm_key(canonical_label(mention.kind, mention.label))


def resolve(doc: Document | None, mentions: Sequence[Mention]) -> tuple[Entity, ...]:
    """Group ``mentions`` into entities, sorted by (kind, key).

    ``doc`` is accepted for symmetry with the other stages (and future context-dependent
    resolution); grouping depends on the mentions only.
    """
    groups: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[(m.kind, entity_key(m))].append(m)
    entities = []
    for (kind, key), ms in sorted(groups.items()):
        ms.sort(key=lambda m: (m.start, m.end, m.label))
        names = [m.label if kind in PLACE_KINDS else canonical_label(kind, m.label) for m in ms]
        counts = Counter(names)
        # Most frequent canonical label; ties go to the earliest in the text.
        label = min(counts, key=lambda lab: (-counts[lab], names.index(lab)))
        attrs: dict[str, str] = {}
        for m in ms:
            for k, v in m.attrs:
                if v and k not in attrs:
                    attrs[k] = v
        forms = {unquote(m.surface).strip() for m in ms} | {unquote(m.label) for m in ms}
        aliases = tuple(sorted(f for f in forms if f and f != label))
        entities.append(Entity(kind, key, label, tuple(sorted(attrs.items())), aliases, tuple(ms)))
    return tuple(entities)
