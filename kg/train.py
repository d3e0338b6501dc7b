"""Training the tagger from annotated reports (``kg train --gold DIR``).

A gold file (format of ``../shared/gold``, rules in its ``GUIDELINES.md``) lists each project,
policy and industry chain once, with the ``surface`` as written inside a ``quote`` of the text.
Training labels every character of the report:

1. each item is located where the annotator saw it (its ``quote``, the ``surface`` inside it);
   within the surface the span is the item's ``name`` when the name is written there (the
   annotators' shortest proper name: 衢丽铁路 in 衢丽铁路衢州至松阳段), so the tagger learns
   where a name stops, not only where a mention is;
2. every other occurrence of what step 1 labelled, when four or more characters, is labelled (the
   annotators list an entity once; its later mentions are mentions all the same); shorter ones
   (医药, 高铁) only where the annotator located them: elsewhere they are often other things.

Training is deterministic: sequences in file order, L-BFGS with fixed parameters, so the same
gold files give the same model bytes.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pycrfsuite

from kg import extract, ingest
from kg.errors import InputError
from kg.extract.features import sentence_features
from kg.extract.names import QUOTE_CHARS
from kg.extract.project_typer import ProjectTyper, beside
from kg.extract.tagger import CLASSES, MODEL_PATH, Tagger, bioes, rule_tags
from kg.model import Document

#: Gold list key → tagger class.
GOLD_KEYS = {"projects": "Project", "policies": "Policy", "industry_chains": "IndustryChain"}
#: Names at least this long are labelled wherever they occur.
MIN_RECUR = 4
#: The rule extractors whose candidates are features.
RULE_EXTRACTORS = ("projects", "policies", "industry_chains")
PARAMS = {"c1": 0.05, "c2": 0.05, "max_iterations": 120, "feature.possible_transitions": True,
          "feature.minfreq": 1}

Span = tuple[int, int, str]


def _name_in(text: str, a: int, b: int, name: str) -> tuple[int, int]:
    """The span of ``name`` inside ``text[a:b]``, reading past quotation marks; else (a, b)."""
    keep = [i for i in range(a, b) if text[i] not in QUOTE_CHARS]
    view = "".join(text[i] for i in keep)
    k = view.find(name) if name else -1
    if k < 0:
        return a, b
    return keep[k], keep[k + len(name) - 1] + 1


def gold_spans(gold: dict, text: str) -> list[Span]:
    """Labelled ``(start, end, class)`` spans of ``text`` (original offsets), best first."""
    located: list[Span] = []
    recurring: dict[str, str] = {}
    for key, cls in GOLD_KEYS.items():
        for item in gold.get(key, ()):
            surface, quote, name = item.get("surface", ""), item.get("quote", ""), item.get("name", "")
            q = text.find(quote) if quote else -1
            s = text.find(surface, q, q + len(quote)) if q >= 0 and surface else -1
            if s < 0:
                s = text.find(surface) if surface else -1
            if s < 0:
                continue
            a, b = _name_in(text, s, s + len(surface), name)
            located.append((a, b, cls))
            form = text[a:b]
            if len(form) >= MIN_RECUR and not any(c in QUOTE_CHARS for c in form):
                recurring.setdefault(form, cls)
    extra: list[Span] = []
    for form, cls in sorted(recurring.items(), key=lambda kv: (-len(kv[0]), kv[0])):
        i = text.find(form)
        while i >= 0:
            extra.append((i, i + len(form), cls))
            i = text.find(form, i + 1)
    return located + extra


def label_sequence(doc: Document, spans: Sequence[Span]) -> list[list[str]]:
    """BIOES labels of each sentence of ``doc`` from original-text spans (first span wins)."""
    owner = [""] * len(doc.text)
    first = [False] * len(doc.text)
    for a, b, cls in spans:
        if b <= a or any(owner[a:b]):
            continue
        owner[a:b] = [cls] * (b - a)
        first[a] = True
    out = []
    for sentence in doc.sentences:
        base = sentence.norm_start
        tags = []
        prev = -1
        for i in range(len(sentence.text)):
            pos = doc.offsets[base + i]
            cls = owner[pos] if pos < len(owner) else ""
            if not cls:
                tags.append("O")
            elif first[pos] and pos != prev:
                tags.append("B-" + cls)
            else:
                tags.append(("I-" if tags and tags[-1] != "O" else "B-") + cls)
            prev = pos
        out.append(bioes(tags))
    return out


def rule_mentions(doc: Document) -> list:
    """The rule extractors' mentions of the tagger's classes (the tagger's rule features)."""
    return [m for name in RULE_EXTRACTORS for m in extract.REGISTRY[name].func(doc)
            if m.kind in CLASSES]


def _gold_json(path: Path) -> dict:
    """A gold file's content; errors name the file."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(f"gold file {path}: {e}") from e


def load_gold(path: Path, texts_dir: Path) -> tuple[dict, str]:
    """A gold file and its report text (``texts_dir/<seed>``); errors name the file."""
    gold = _gold_json(path)
    seed = gold.get("seed") or Path(path).with_suffix(".txt").name
    text_path = Path(texts_dir) / seed
    if not text_path.is_file():
        raise InputError(f"gold file {path}: its text {text_path} is missing")
    return gold, ingest.read_text(text_path)


def sequences(path: Path, texts_dir: Path) -> Iterator[tuple[list[tuple[str, ...]], list[str]]]:
    """(features, labels) of each sentence of one annotated report."""
    gold, text = load_gold(path, texts_dir)
    doc = ingest.parse_text(text, source=Path(path).name)
    labels = label_sequence(doc, gold_spans(gold, doc.text))
    by_sentence: dict[int, list] = {}
    for m in rule_mentions(doc):
        by_sentence.setdefault(m.sentence, []).append(m)
    for sentence, tags in zip(doc.sentences, labels, strict=True):
        if sentence.text:
            rules = rule_tags(doc, sentence, by_sentence.get(sentence.index, ()))
            yield sentence_features(sentence.text, rules), tags


def typed_projects(gold_paths: Sequence[Path]) -> Iterator[tuple[str, str, str]]:
    """``(name, type, sentence)`` of every typed project of the gold files (the typer's
    examples; the ``quote`` is the sentence)."""
    for path in sorted(gold_paths, key=lambda p: Path(p).name):
        for item in _gold_json(path).get("projects", ()):
            if isinstance(item, dict) and item.get("name") and item.get("type"):
                yield item["name"], item["type"], item.get("quote") or ""


def fit(gold_paths: Sequence[Path], texts_dir: Path, *, params: dict | None = None) -> Tagger:
    """Train a tagger and its project typer on ``gold_paths`` (their texts in
    ``texts_dir``), deterministically."""
    if not gold_paths:
        raise InputError("no gold files to train on")
    trainer = pycrfsuite.Trainer(verbose=False)
    for path in sorted(gold_paths, key=lambda p: Path(p).name):
        for xseq, yseq in sequences(path, texts_dir):
            trainer.append(xseq, yseq)
    trainer.set_params({**PARAMS, **(params or {})})
    typer = ProjectTyper.fit(typed_projects(gold_paths))
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "tagger.crfsuite"
        trainer.train(str(model))
        return Tagger(model.read_bytes(), typer if typer.names else None)


def train(gold_dir: Path, texts_dir: Path | None = None, out: Path = MODEL_PATH) -> Path:
    """Train on every ``*.json`` of ``gold_dir`` and write the model to ``out``."""
    gold_dir = Path(gold_dir)
    paths = sorted(gold_dir.glob("*.json"))
    if not paths:
        raise InputError(f"no gold files (*.json) in {gold_dir}")
    tagger = fit(paths, texts_dir or gold_dir / "texts")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(tagger.model)
    if tagger.typer is not None:
        beside(out).write_text(tagger.typer.to_json() + "\n", encoding="utf-8")
    return out
