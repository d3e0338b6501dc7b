"""The learned tagger: a linear-chain CRF over characters, beside the rules.

The rules find shapes; the tagger learns from the annotated reports what the annotators meant
(``kg train --gold DIR`` writes ``kg/data/models/tagger.crfsuite``; see :mod:`kg.train`). Its
labels are BIO tags over the classes in :data:`CLASSES`; its features
(:mod:`kg.extract.features`) include the rule candidates, so it learns where a rule is right.

The model ships in the package: ``kg build`` never trains and needs no network. Setting the
environment variable ``KG_TAGGER=off`` runs the rules alone (to measure them).

>>> sorted(CLASSES)
['IndustryChain', 'Policy', 'Project']
>>> spans(["O", "B-Project", "I-Project", "O", "I-Policy", "B-Policy"])
[(1, 3, 'Project'), (4, 5, 'Policy'), (5, 6, 'Policy')]
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import pycrfsuite

from kg.extract.features import sentence_features
from kg.model import Document, Mention, Sentence

CLASSES = ("Project", "Policy", "IndustryChain")
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "tagger.crfsuite"


def spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, class)`` of the BIO runs in ``tags`` (a stray ``I-`` opens a run)."""
    out: list[tuple[int, int, str]] = []
    start, cls = -1, ""
    for i, tag in enumerate((*tags, "O")):
        kind = tag[2:] if len(tag) > 2 else ""
        if start >= 0 and (tag == "O" or tag.startswith("B-") or kind != cls):
            out.append((start, i, cls))
            start = -1
        if tag != "O" and start < 0:
            start, cls = i, kind
    return out


def rule_tags(doc: Document, sentence: Sentence, mentions: Iterable[Mention]) -> list[str]:
    """BIO tags of the rule mentions inside ``sentence``, character by character."""
    n = len(sentence.text)
    tags = ["O"] * n
    positions = doc.offsets[sentence.norm_start : sentence.norm_start + n]
    for m in mentions:
        if m.kind not in CLASSES:
            continue
        a = bisect_left(positions, m.start)
        b = bisect_left(positions, m.end)
        if a < b and all(t == "O" for t in tags[a:b]):
            tags[a] = "B-" + m.kind
            tags[a + 1 : b] = ["I-" + m.kind] * (b - a - 1)
    return tags


class Tagger:
    """A trained CRF model, from its bytes (deterministic: the same bytes tag the same way)."""

    def __init__(self, model: bytes) -> None:
        self.model = model
        self._crf = pycrfsuite.Tagger()
        self._crf.open_inmemory(model)

    @classmethod
    def load(cls, path: Path | str) -> Tagger:
        return cls(Path(path).read_bytes())

    def tag_sentence(self, text: str, rules: Sequence[str]) -> list[str]:
        """BIO tags of each character of ``text``."""
        if not text:
            return []
        return self._crf.tag(sentence_features(text, rules))

    def mentions(self, doc: Document, rule_mentions: Sequence[Mention]) -> list[Mention]:
        """The tagger's Project / Policy / IndustryChain mentions of ``doc``."""
        from kg.extract.names import mention, unquote

        by_sentence: dict[int, list[Mention]] = {}
        for m in rule_mentions:
            by_sentence.setdefault(m.sentence, []).append(m)
        out = []
        for sentence in doc.sentences:
            rules = rule_tags(doc, sentence, by_sentence.get(sentence.index, ()))
            tags = self.tag_sentence(sentence.text, rules)
            for a, b, cls in spans(tags):
                label = unquote(sentence.text[a:b]).strip()
                if len(label) >= 2:
                    out.append(mention(doc, sentence, cls, label, a, b, _attrs(doc, cls, label,
                                                                                  sentence.text[:a])))
        return out


def _attrs(doc: Document, cls: str, label: str, before: str) -> tuple[tuple[str, str], ...]:
    if cls == "Project":
        from kg.extract.projects import project_type

        return (("type", project_type(label)),)
    if cls == "Policy":
        from kg.extract.policies import policy_level

        province = doc.city.parent if doc.city is not None else None
        return (("level", policy_level(label, before, province)),)
    return ()


@cache
def default() -> Tagger | None:
    """The packaged model, or None when it is absent or ``KG_TAGGER=off``."""
    if os.environ.get("KG_TAGGER", "").lower() in ("off", "0", "no") or not MODEL_PATH.exists():
        return None
    return Tagger.load(MODEL_PATH)
