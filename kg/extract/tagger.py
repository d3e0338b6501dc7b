"""The learned tagger: a linear-chain CRF over characters, beside the rules.

The rules find shapes; the tagger learns from the annotated reports what the annotators meant
(``kg train --gold DIR`` writes ``kg/data/models/tagger.crfsuite``; see :mod:`kg.train`). Its
labels are BIOES tags over the classes in :data:`CLASSES`; its features
(:mod:`kg.extract.features`) include the rule candidates, so it learns where a rule is right.

The model ships in the package: ``kg build`` never trains and needs no network. Setting the
environment variable ``KG_TAGGER=off`` runs the rules alone (to measure them).

>>> sorted(CLASSES)
['IndustryChain', 'Policy', 'Project']
>>> spans(["O", "B-Project", "E-Project", "O", "S-Policy"])
[(1, 3, 'Project'), (4, 5, 'Policy')]
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

import pycrfsuite

from kg.extract.coordination import lead_end, with_enumerations
from kg.extract.features import (
    ends_with_head,
    part_of_speech,
    sentence_features,
    tokenizer,
    words,
)
from kg.extract.names import QUOTE_CHARS, clauses, mention, strip_lead, unquote
from kg.extract.policies import numeric_core_end, programme_head
from kg.extract.policy_names import policy_level
from kg.extract.project_typer import ProjectTyper, beside
from kg.extract.projects import honoured, lent_head, project_type, suffix_end, type_of
from kg.lexicon import load_words
from kg.model import Document, Mention, Sentence

CLASSES = ("Project", "Policy", "IndustryChain")
#: A rule name the tagger did not find (nor overlap) is kept when the model's mean marginal
#: probability that its characters are inside a name of its class reaches this. Measured
#: leave-one-report-out on the 12 annotated reports (one parameter per class chosen on them,
#: with the word-cluster features): projects F1 0.631 / 0.634 / 0.631 at 0.02 / 0.05 / 0.1;
#: policies 0.639 keeping every rule name, 0.643 / 0.641 / 0.634 at 0.02 / 0.05 / 0.2; chains
#: 0.570 keeping every one, 0.575 / 0.571 / 0.533 at 0.02 / 0.05 / 0.2 (the same direction on
#: fold models trained with other regularisation: +0.1 to +0.4 and +0.8 to +0.9).
RULE_CONFIDENCE = {"Project": 0.05, "Policy": 0.02, "IndustryChain": 0.02}
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "tagger.crfsuite"


def spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(start, end, class)`` of the runs in ``tags``, BIOES (``S-`` a one-character name,
    ``E-`` the last character of a longer one) or plain BIO; a stray ``I-``/``E-`` opens a run.

    >>> spans(["O", "B-Project", "E-Project", "S-Policy", "B-Policy", "I-Policy", "O"])
    [(1, 3, 'Project'), (3, 4, 'Policy'), (4, 6, 'Policy')]
    """
    out: list[tuple[int, int, str]] = []
    start, cls = -1, ""
    for i, tag in enumerate((*tags, "O")):
        kind, mark = tag[2:], tag[:1]
        if start >= 0 and (tag == "O" or mark in "BS" or kind != cls):
            out.append((start, i, cls))
            start = -1
        if tag != "O" and start < 0:
            start, cls = i, kind
        if start >= 0 and mark in "ES":
            out.append((start, i + 1, cls))
            start = -1
    return out


def bioes(tags: Sequence[str]) -> list[str]:
    """BIO tags as BIOES: the last character of a name is ``E-``, a one-character name ``S-``
    (the tagger learns where names end as well as where they start).

    >>> bioes(["O", "B-Project", "I-Project", "B-Project", "O"])
    ['O', 'B-Project', 'E-Project', 'S-Project', 'O']
    """
    out = list(tags)
    for i, tag in enumerate(tags):
        last = i + 1 == len(tags) or not tags[i + 1].startswith("I-")
        if last and tag.startswith("B-"):
            out[i] = "S-" + tag[2:]
        elif last and tag.startswith("I-"):
            out[i] = "E-" + tag[2:]
    return out


def sentence_spans(doc: Document, sentence: Sentence, mentions: Iterable[Mention]
                   ) -> list[tuple[int, int, Mention]]:
    """``(start, end, mention)`` of the mentions of :data:`CLASSES` in ``sentence``, as
    character offsets of the sentence's text (mentions carry the original text's)."""
    positions = doc.offsets[sentence.norm_start : sentence.norm_start + len(sentence.text)]
    out = []
    for m in mentions:
        if m.kind in CLASSES:
            a, b = bisect_left(positions, m.start), bisect_left(positions, m.end)
            if a < b:
                out.append((a, b, m))
    return out


def rule_tags(doc: Document, sentence: Sentence, mentions: Iterable[Mention]) -> list[str]:
    """BIO tags of the rule mentions inside ``sentence``, character by character."""
    tags = ["O"] * len(sentence.text)
    for a, b, m in sentence_spans(doc, sentence, mentions):
        if all(t == "O" for t in tags[a:b]):
            tags[a] = "B-" + m.kind
            tags[a + 1 : b] = ["I-" + m.kind] * (b - a - 1)
    return tags


class Tagger:
    """A trained CRF model, from its bytes (deterministic: the same bytes tag the same way)."""

    def __init__(self, model: bytes, typer: ProjectTyper | None = None) -> None:
        self.model = model
        self.typer = typer  # the learned project types (kg.extract.project_typer), if any
        self._crf = pycrfsuite.Tagger()
        self._crf.open_inmemory(model)
        self._labels = frozenset(self._crf.labels())

    @classmethod
    def load(cls, path: Path | str) -> Tagger:
        """The model at ``path`` and the project typer beside it when there is one."""
        types = beside(path)
        return cls(Path(path).read_bytes(), ProjectTyper.load(types) if types.is_file() else None)

    def typed(self, doc: Document, mentions: Sequence[Mention]) -> list[Mention]:
        """``mentions`` with every project's type from the learned typer, the rule mentions'
        too (their suffix and cue words are among its features); unchanged without a typer."""
        if self.typer is None:
            return list(mentions)
        out = []
        for m in mentions:
            if m.kind == "Project":
                typ = self.typer.type(m.label, doc.sentences[m.sentence].text)
                m = replace(m, attrs=(*(kv for kv in m.attrs if kv[0] != "type"), ("type", typ)))
            out.append(m)
        return out

    def tag_sentence(self, text: str, rules: Sequence[str]) -> list[str]:
        """BIOES tags of each character of ``text`` (the best sequence)."""
        if not text:
            return []
        return self._crf.tag(sentence_features(text, rules))

    def span_probability(self, a: int, b: int, cls: str) -> float:
        """The mean marginal probability, over ``[a, b)`` of the sentence last tagged, that a
        character is inside a name of ``cls``."""
        labels = [f"{m}-{cls}" for m in "BIES" if f"{m}-{cls}" in self._labels]
        return sum(self._crf.marginal(y, t) for t in range(a, b) for y in labels) / (b - a)

    def _confident_rules(self, doc: Document, sentence: Sentence, rules: Sequence[Mention],
                         found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
        """``found`` plus the rule mentions it does not overlap that the model finds likely
        enough (:data:`RULE_CONFIDENCE`), in the sentence last tagged. A rule mention of the
        same span and class whose name goes on past the tagged text (an item of a list with the
        head the list lends it: 甲、乙等行动 → 甲行动) names the tagged item."""
        out = list(found)
        for a, b, m in sentence_spans(doc, sentence, rules):
            same = [k for k, f in enumerate(out) if f[:2] == (a, b) and f[3] == m.kind]
            if same and m.label.startswith(out[same[0]][2]) and len(m.label) > len(out[same[0]][2]):
                out[same[0]] = (a, b, m.label, m.kind)
            if any(f[0] < b and a < f[1] for f in out):
                continue
            threshold = RULE_CONFIDENCE[m.kind]  # 0: kept without asking the model
            if threshold <= 0 or self.span_probability(a, b, m.kind) >= threshold:
                out.append((a, b, m.label, m.kind))
        return sorted(out)

    def mentions(self, doc: Document, rule_mentions: Sequence[Mention]) -> list[Mention]:
        """The tagger's Project / Policy / IndustryChain mentions of ``doc``."""
        by_sentence: dict[int, list[Mention]] = {}
        for m in rule_mentions:
            by_sentence.setdefault(m.sentence, []).append(m)
        out = []
        for sentence in doc.sentences:
            rules = rule_tags(doc, sentence, by_sentence.get(sentence.index, ()))
            tags = self.tag_sentence(sentence.text, rules)
            found = with_enumerations(sentence.text, coordinated(sentence.text, spans(tags)))
            found = self._confident_rules(doc, sentence, by_sentence.get(sentence.index, ()),
                                          found)
            found = list_siblings(sentence.text, found)
            ends = _word_ends(sentence.text) if found else set()
            for a1, b, label, cls in found:
                if cls == "Policy" and (end := numeric_core_end(sentence.text, a1, b)) != b:
                    label, b = sentence.text[a1:end], end
                if b not in ends and label.endswith(sentence.text[b - 1]) \
                        and not ends_with_head(label):
                    continue  # a name ends with a word or a head, not inside a word (甲碳中|和)
                a = trim_start(sentence.text, a1, b, cls)
                label = unquote(label[a - a1 :]).strip()
                clause = _clause(sentence.text, a, b)
                if len(label) < 2 or cls == "Project" and honoured(clause):
                    continue  # an honour is for something that exists, not a work in hand
                # a project's type, with a typer, is set once for all mentions (typed)
                attrs = () if cls == "Project" and self.typer is not None else _attrs(
                    doc, cls, label, sentence.text[:a], clause)
                out.append(mention(doc, sentence, cls, label, a, b, attrs))
        return out


def _word_ends(text: str) -> set[int]:
    """Where jieba's words of ``text`` end (and 0). On the annotated reports 22 of 2,906 names
    end inside a word, most of them with a head (甲乙工程|建设); a tagged name that ends inside a
    word without a head was a false find 3 times in 4 (leave-one-out) and in 40 unannotated
    reports 8 times in 13 (甲乙客专以|来, 甲乙供热系|统)."""
    ends, at = {0}, 0
    for w in words(text):
        at += len(w)
        ends.add(at)
    return ends


#: What separates coordinated names (城北、江南片区; 甲水库和乙水库).
_COORD = "、和及与"


def coordinated(text: str, found: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str,
                                                                            str]]:
    """Tagged spans as names: ``(start, end, label, class)``; coordinated project names that
    share a head each get it (``A、B片区`` → A片区, B片区), whether the tagger found the list
    as one span or as one span per item.

    Projects and policies share heads this way (industry lists name bare sectors). A project
    list lends its last item's type suffix with its common modifiers (:func:`lent_head`) to
    the bare items (:func:`_bare`), and takes in bare items the tagger left out between tagged
    ones (:func:`_fill_gaps`); a policy list lends its programme head (:func:`_policy_group`),
    and a policy span joining programmes that each have their own is split (:func:`_policy_items`).

    >>> coordinated("城北、江南片区", [(0, 7, "Project")])
    [(0, 2, '城北片区', 'Project'), (3, 7, '江南片区', 'Project')]
    >>> coordinated("城北、江南片区", [(0, 2, "Project"), (3, 7, "Project")])
    [(0, 2, '城北片区', 'Project'), (3, 7, '江南片区', 'Project')]
    >>> coordinated("城北、江南片区", [(0, 7, "IndustryChain")])
    [(0, 7, '城北、江南片区', 'IndustryChain')]
    """
    items: list[tuple[int, int, str]] = []
    for a, b, cls in found:
        if cls == "Policy":
            items.extend(_policy_items(text, a, b))
            continue
        if cls != "Project":
            items.append((a, b, cls))
            continue
        start = a
        for i in range(a, b + 1):
            if i == b or text[i] == "、" or (text[i] in "和及" and i - start >= 2 and b - i > 2):
                if i > start:
                    items.append((start, i, cls))
                start = i + 1
    items = _fill_gaps(text, items)
    out: list[tuple[int, int, str, str]] = []
    k = 0
    while k < len(items):
        group = [items[k]]
        while k + 1 < len(items) and items[k][2] == items[k + 1][2] in ("Project", "Policy") \
                and items[k + 1][0] - items[k][1] == 1 and text[items[k][1]] in _COORD:
            k += 1
            group.append(items[k])
        k += 1
        if group[0][2] == "Policy":
            out.extend(_policy_group(text, group))
            continue
        a, b, cls = group[0]
        start = lead_end(text, a, b) if len(group) > 1 else a
        if b - start >= 2 and not _bare(text[a:b]) and _bare(text[start:b]):
            group[0] = (start, b, cls)  # a bare first item after the clause's governing verbs
        last = text[group[-1][0]:group[-1][1]]
        bare = {n for n, (a, b, _) in enumerate(group[:-1]) if _bare(text[a:b])}
        head = _shared_head(last, [text[a:b] for n, (a, b, _) in enumerate(group) if n in bare])
        for n, (a, b, cls) in enumerate(group):
            out.append((a, b, text[a:b] + head if head and n in bare else text[a:b], cls))
    return out


def _policy_items(text: str, a: int, b: int) -> list[tuple[int, int, str]]:
    """A tagged policy span as the policies it joins: split at 、/和/及/与 outside quotation
    marks when every part has a programme head of its own and four characters or more
    (甲乙提升行动和丙丁护航行动 → two); else the span as it is (甲乙、丙丁专项行动 is one name,
    its first part having no head)."""
    parts, start, quoted = [], a, False
    for i in range(a, b):
        if text[i] in QUOTE_CHARS:
            quoted = not quoted
        elif not quoted and text[i] in _COORD:
            parts.append((start, i))
            start = i + 1
    parts.append((start, b))
    if len(parts) > 1 and all(y - x >= 4 and programme_head(text[x:y]) for x, y in parts):
        return [(x, y, "Policy") for x, y in parts]
    return [(a, b, "Policy")]


def _policy_group(text: str, group: list[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]:
    """Coordinated policy names: items before the last that have no programme head of their
    own take the one the last ends with (甲、乙专项行动 → 甲专项行动, 乙专项行动); quoted items
    are names as they are."""
    names = [text[a:b] for a, b, _ in group]
    head = programme_head(names[-1]) if len(group) > 1 else ""
    out = []
    for n, (a, b, cls) in enumerate(group):
        name = names[n]
        if head and n < len(group) - 1 and not programme_head(name) \
                and not any(c in QUOTE_CHARS for c in name):
            name += head
        out.append((a, b, name, cls))
    return out


def _fill_gaps(text: str, items: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """``items`` with the bare list items (:func:`_bare`) the tagger left out between two
    tagged projects of one 、-list (甲、乙、丙机场 tagged 甲 and 丙机场: 乙 too)."""
    out: list[tuple[int, int, str]] = []
    for item in items:
        if out and item[2] == out[-1][2] == "Project" and item[0] - out[-1][1] > 1 \
                and text[out[-1][1]] == "、" and text[item[0] - 1] == "、":
            pieces, at = [], out[-1][1] + 1
            for piece in text[at : item[0] - 1].split("、"):
                pieces.append((at, at + len(piece), "Project"))
                at += len(piece) + 1
            if all(b - a >= 2 and _bare(text[a:b]) and text[a:b].isalpha() for a, b, _ in pieces):
                out.extend(pieces)
        out.append(item)
    return out


#: A figure after a character: a count or size inside a phrase (示范园3个园区), not a name.
_COUNT_INSIDE = re.compile(r"[\u4e00-\u9fff][0-9０-９]")


def list_siblings(text: str, found: list[tuple[int, int, str, str]]
                  ) -> list[tuple[int, int, str, str]]:
    """``found`` plus the items of a 、-list named like the found projects in it, when at least
    two items, and most of them, are found projects: what stands in a list of named projects
    and is headed like one is one (甲乙湿地公园、丙丁观光园、戊己公园建设 with the two parks
    found: 丙丁观光园 too). An item is headed like them when it ends with the last character
    of one of them or with a type suffix; the first starts after the clause's governing
    verbs; the last ends at its type suffix. Left alone: an item overlapping anything found,
    one shorter than four characters (a bare head: 博物馆), one with brackets or a figure after
    a character (a count: 甲园3个乙园)."""
    out = list(found)
    for ca, cb in clauses(text):
        if "、" not in text[ca:cb]:
            continue
        bounds = [ca] + [j + 1 for j in range(ca, cb) if text[j] == "、"]
        items = list(zip(bounds, [b - 1 for b in bounds[1:]] + [cb], strict=True))
        tagged = [any(f[3] == "Project" and f[0] < b and a < f[1] for f in found)
                  for a, b in items]
        if sum(tagged) < 2 or 2 * sum(tagged) < len(items):
            continue
        heads = {f[2][-1] for f in found if f[3] == "Project" and ca <= f[0] < cb}
        for k, (a, b) in enumerate(items):
            if tagged[k] or any(f[0] < b and a < f[1] for f in found):
                continue
            if k == 0:
                a = lead_end(text, a, b)
            if k < len(items) - 1:  # a whole item, headed like a found one or by a suffix
                end = b if text[b - 1] in heads or suffix_end(text, a, b) == b else None
            else:
                end = suffix_end(text, a, b)
            if end is None:
                continue
            name = text[a:end]
            if len(name) >= 4 and not any(c in QUOTE_CHARS or c in "（）()" for c in name) \
                    and not _COUNT_INSIDE.search(name):
                out.append((a, end, name, "Project"))
    return sorted(out)


#: Parts of speech a project or chain name does not start with (their names are noun
#: phrases): a verb, adverb, preposition or conjunction in front (加快, 提高, 全力) is the
#: clause's, not the name's. One character counts only as one of the common prepositions and
#: conjunctions: a one-character "verb" or "adverb" is more often the first character of a
#: company's or place's name. Policy names may start with any word.
_NO_START = frozenset({"v", "d", "p", "c"})
_ONE_CHARACTER_FUNCTION_WORDS = "并以在和与及"


def trim_start(text: str, a: int, b: int, cls: str) -> int:
    """Where a tagged name really starts (after governing verbs, and leading words of a part
    of speech in ``_NO_START``), as long as three characters remain.

    >>> text = "并加快建设白鹭铁路"
    >>> text[trim_start(text, 0, len(text), "Project"):]
    '白鹭铁路'
    """
    if cls == "Policy":
        return a
    moved = True
    while moved:
        moved = False
        lead = strip_lead(text, a, b)  # the lexicon's governing verbs (推进, 全力 …)
        if lead > a and b - lead >= 3:
            a, moved = lead, True
        word = tokenizer().lcut(text[a:b], HMM=False)[0]
        if b - a - len(word) >= 3 and (len(word) >= 2 or word in _ONE_CHARACTER_FUNCTION_WORDS) \
                and part_of_speech(word) in _NO_START:
            a, moved = a + len(word), True
    return a


#: The longest item that can lean on the last item's head: a bare toponym (城北, 双西港).
MAX_BARE = 3


def _bare(name: str) -> bool:
    """An item too short to be a name of its own and with no type suffix (城北 in 城北、江南片区)."""
    return len(name) <= MAX_BARE and not _type_suffix(name) and name[-1] not in "路街桥园馆站湖"


def _type_suffix(name: str) -> str:
    hit = type_of(name)
    return hit[0] if hit else ""


def _shared_head(last: str, bare: Sequence[str]) -> str:
    """The head a list's last item lends to the bare items before it (:func:`lent_head`)."""
    return "" if "等" in last or not bare else lent_head(last, bare)



def _attrs(doc: Document, cls: str, label: str, before: str,
           clause: str = "") -> tuple[tuple[str, str], ...]:
    """A tagged name's type or level: from its suffix and markers; a project with no type
    suffix in a clause about production (``project_industrial_cues``) is industrial (on the
    annotated reports: 67 of 71 such names are)."""
    if cls == "Project":
        typ = project_type(label)
        if typ == "other" and any(w in clause for w in load_words("project_industrial_cues")):
            typ = "industrial"
        return (("type", typ),)
    if cls == "Policy":
        province = doc.city.parent if doc.city is not None else None
        return (("level", policy_level(label, before, province)),)
    return ()


def _clause(text: str, a: int, b: int) -> str:
    """The clause around ``text[a:b]`` (between the commas, semicolons or stops around it)."""
    start = max(text.rfind(c, 0, a) for c in "，；。") + 1
    ends = [i for i in (text.find(c, b) for c in "，；。") if i >= 0]
    return text[start : min(ends) if ends else len(text)]


@cache
def default() -> Tagger | None:
    """The packaged model, or None when it is absent or ``KG_TAGGER=off``."""
    if os.environ.get("KG_TAGGER", "").lower() in ("off", "0", "no") or not MODEL_PATH.exists():
        return None
    return Tagger.load(MODEL_PATH)
