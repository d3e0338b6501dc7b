"""Project types learned from the annotated reports: naive Bayes over a name's characters.

A type suffix (铁路, 水库, 产业园) settles many names, but half the annotated projects carry no
suffix the lexicon knows or carry one that misleads: a company and its product (甲乙80万吨合金铝
is ``industrial``), a power plant named by its fuel (甲乙核电, ``energy``), a road named
路 or 大道 (``highway`` or ``urban`` by what it serves). The annotators' types are learned
instead, from what a reader looks at in a name: its last one, two and three characters, every
character and pair of characters in it, whether it holds a number, the type its suffix gives
(:func:`kg.extract.projects.project_type`) and whether its sentence speaks of production (the
``project_industrial_cues`` words).

``kg train`` fits it beside the tagger from the gold files' ``projects`` (``name``, ``type``
and the ``quote`` as the sentence) and writes it next to the tagger's model
(:func:`beside`: ``tagger.types.json``); counting is deterministic and the file is written
with sorted keys, so the same gold files give the same bytes. The tagger then types every
project mention with it, the rules' own too (:meth:`kg.extract.tagger.Tagger.typed`).
Measured leave-one-report-out on the 12 annotated reports: on the names as annotated, 0.755 of
1,107 typed right against 0.563 by the suffix alone; on the projects the pipeline finds and
matches, 0.812 of 688 against 0.669 with the rules' types and the suffix.

>>> typer = ProjectTyper.fit([("甲乙铁路", "railway"), ("丙丁铁路", "railway"),
...                           ("甲乙80万吨合金铝", "industrial"), ("丙丁20万吨钢材", "industrial")])
>>> typer.type("戊己铁路"), typer.type("戊己50万吨铜材")
('railway', 'industrial')
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kg.extract.projects import project_type
from kg.lexicon import load_words

#: Additive smoothing of the feature counts (0.1 / 0.3 / 1.0 leave-one-report-out on the
#: annotated names, before the sentence's cue feature: 0.742 / 0.748 / 0.743 typed right).
ALPHA = 0.3
_DIGIT = re.compile(r"\d")


def beside(model_path: Path | str) -> Path:
    """Where the typer of the tagger model at ``model_path`` is kept.

    >>> beside("models/tagger.crfsuite").name
    'tagger.types.json'
    """
    return Path(model_path).with_suffix(".types.json")


def features(name: str, sentence: str = "") -> list[str]:
    """What the classifier reads of a project ``name`` (and the ``sentence`` it is in)."""
    out = [f"end{k}={name[-k:]}" for k in (1, 2, 3) if len(name) >= k]
    out += ["bi=" + name[j : j + 2] for j in range(len(name) - 1)]
    out += ["c=" + c for c in name]
    if _DIGIT.search(name):
        out.append("digit")
    out.append("sfx=" + project_type(name))
    if sentence and any(w in sentence for w in load_words("project_industrial_cues")):
        out.append("cue")
    return out


class ProjectTyper:
    """Multinomial naive Bayes over :func:`features`: per type, how many names had it and how
    often each feature occurred in them."""

    def __init__(self, names: dict[str, int], counts: dict[str, dict[str, int]]) -> None:
        self.names = names
        self.counts = counts
        self.vocabulary = {f for c in counts.values() for f in c}
        size = len(self.vocabulary)
        self._prior = {t: math.log(n) for t, n in names.items()}
        self._denominator = {t: math.log(sum(counts[t].values()) + ALPHA * size) for t in names}

    @classmethod
    def fit(cls, examples: Iterable[tuple[str, str]] | Iterable[tuple[str, str, str]]
            ) -> ProjectTyper:
        """From ``(name, type)`` or ``(name, type, sentence)`` examples."""
        names: Counter[str] = Counter()
        counts: dict[str, Counter[str]] = {}
        for name, typ, *sentence in examples:
            names[typ] += 1
            counts.setdefault(typ, Counter()).update(features(name, *sentence))
        return cls(dict(names), {t: dict(c) for t, c in counts.items()})

    def type(self, name: str, sentence: str = "") -> str:
        """The most probable type of ``name`` (ties: the first type in sorted order)."""
        feats = [f for f in features(name, sentence) if f in self.vocabulary]
        best, best_score = "other", -math.inf
        for typ in sorted(self.names):
            c = self.counts[typ]
            score = self._prior[typ] + sum(math.log(c.get(f, 0) + ALPHA) for f in feats) \
                - len(feats) * self._denominator[typ]
            if score > best_score:
                best, best_score = typ, score
        return best

    def to_json(self) -> str:
        return json.dumps({"names": self.names, "counts": self.counts}, ensure_ascii=False,
                          sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ProjectTyper:
        data = json.loads(text)
        return cls(data["names"], data["counts"])

    @classmethod
    def load(cls, path: Path | str) -> ProjectTyper:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))
