"""Word clusters from many reports: the data behind ``kg/data/models/clusters.tsv``.

Twelve annotated reports teach the tagger (:mod:`kg.extract.tagger`) only the words they
contain; a name in an unseen report is made of words it never saw (a county, a company, a river).
What a word *is* shows in where the genre uses it: 铁路, 高速公路 and 城际 stand before the same
verbs, 杭州 and 成都 after the same prepositions. So each word of the genre gets a cluster of
words used alike, learned without labels from the reports' own text, and the tagger reads the
cluster (:func:`kg.extract.features.sentence_features`): a weight learned for one railway word
counts for the others of its cluster.

How (Levy & Goldberg's PPMI + SVD, then spherical k-means): the words of at least
:data:`MIN_COUNT` occurrences (with a Han character) are described by counts of the
:data:`CONTEXTS` most frequent words one and two places left and right, weighted by positive
pointwise mutual information (context counts smoothed by the power 0.75), reduced to
:data:`DIMENSIONS` dimensions and grouped by k-means at three granularities (:data:`SIZES`).
Words are jieba tokens from the tagger's own tokenizer, so the table's words are the tokens it
meets. Deterministic: files read in sorted order, k-means seeded; the same reports give the same
table on the same numpy::

    python -m kg.clusters --reports ../shared/reports

writes the table (``word<TAB>cluster…``, by decreasing frequency). It takes a few minutes for
2,000 reports and a few GB of memory; a build only reads the table.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from kg import ingest
from kg.extract.features import CLUSTER_SIZES, CLUSTERS_PATH, tokenizer
from kg.pipeline import find_reports

#: A word needs this many occurrences to get a cluster (rarer ones say too little).
MIN_COUNT = 20
#: Context words: the most frequent ones, each on four sides (-2, -1, +1, +2).
CONTEXTS = 2000
DIMENSIONS = 100
SIZES = CLUSTER_SIZES
_HAN = re.compile(r"[\u4e00-\u9fff]")
_OFFSETS = (-2, -1, 1, 2)


def token_ids(texts: Iterable[str]) -> tuple[list[str], list[np.ndarray]]:
    """The vocabulary (in first-seen order) and each text as an array of word ids."""
    vocab: dict[str, int] = {}
    seqs = []
    tok = tokenizer()
    for text in texts:
        ids = [vocab.setdefault(w, len(vocab)) for w in tok.lcut(text, HMM=False)
               if not w.isspace()]
        seqs.append(np.array(ids, dtype=np.int64))
    return list(vocab), seqs


def embed(words: Sequence[str], seqs: Sequence[np.ndarray], *, min_count: int = MIN_COUNT,
          contexts: int = CONTEXTS, dimensions: int = DIMENSIONS) -> tuple[list[str], np.ndarray]:
    """The kept words (most frequent first) and their unit-length PPMI–SVD vectors."""
    freq = np.bincount(np.concatenate(seqs), minlength=len(words)) if seqs else np.zeros(0)
    order = np.argsort(-freq, kind="stable")
    keep = [int(i) for i in order if freq[i] >= min_count and _HAN.search(words[i])]
    ctx = order[:contexts]
    col = np.full(len(words), -1, np.int64)
    col[ctx] = np.arange(len(ctx))
    row = np.full(len(words), -1, np.int64)
    row[keep] = np.arange(len(keep))
    width = len(ctx)
    counts = np.zeros((len(keep), width * len(_OFFSETS)), np.float32)
    for s in seqs:
        for side, off in enumerate(_OFFSETS):
            a, b = (s[-off:], s[:off]) if off < 0 else (s[:-off], s[off:])
            r, c = row[a], col[b]
            ok = (r >= 0) & (c >= 0)
            np.add.at(counts, (r[ok], c[ok] + side * width), 1)
    total = counts.sum()
    if not total:
        return [words[i] for i in keep], np.zeros((len(keep), 0))
    smooth = counts.sum(0, keepdims=True) ** 0.75
    smooth *= total / smooth.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        ppmi = np.log(counts * total / (counts.sum(1, keepdims=True) * smooth))
    ppmi[~np.isfinite(ppmi)] = 0
    np.maximum(ppmi, 0, out=ppmi)
    # the right singular vectors from the small (contexts × contexts) Gram matrix
    _values, vectors = np.linalg.eigh((ppmi.T @ ppmi).astype(np.float64))
    vecs = ppmi @ vectors[:, ::-1][:, :dimensions].astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-12
    return [words[i] for i in keep], vecs


def kmeans(vecs: np.ndarray, k: int, *, seed: int = 0, iterations: int = 30) -> np.ndarray:
    """Spherical k-means (cosine): each row's cluster, ``0 … k-1``, deterministic for a seed."""
    k = min(k, len(vecs))
    if not k:
        return np.zeros(0, np.int64)
    rng = np.random.default_rng(seed)
    centres = vecs[rng.choice(len(vecs), k, replace=False)].copy()
    labels = np.zeros(len(vecs), np.int64)
    for _ in range(iterations):
        labels = np.argmax(vecs @ centres.T, axis=1)
        for j in range(k):
            members = vecs[labels == j]
            if len(members):
                mean = members.mean(0)
                centres[j] = mean / (np.linalg.norm(mean) + 1e-12)
    return labels


def table(texts: Iterable[str], *, min_count: int = MIN_COUNT,
          sizes: Sequence[int] = SIZES) -> list[tuple[str, ...]]:
    """``(word, its cluster at each of sizes…)`` for the words of ``texts`` seen at least
    ``min_count`` times, most frequent first."""
    words, seqs = token_ids(texts)
    kept, vecs = embed(words, seqs, min_count=min_count)
    labels = [kmeans(vecs, k) for k in sizes]
    return [(w, *(str(int(lab[i])) for lab in labels)) for i, w in enumerate(kept)]


def report_texts(folder: Path) -> Iterable[str]:
    """The text of every report file under ``folder``, as ``kg build`` finds them."""
    for path in find_reports([Path(folder)]):
        yield ingest.read_text(path)


def write(rows: Iterable[Sequence[str]], out: Path = CLUSTERS_PATH) -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write("\t".join(row) + "\n")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kg.clusters", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--reports", type=Path, required=True, help="folder of report files")
    parser.add_argument("--out", type=Path, default=CLUSTERS_PATH)
    args = parser.parse_args(argv)
    path = write(table(report_texts(args.reports)), args.out)
    print(f"{path}: {sum(1 for _ in path.open(encoding='utf-8'))} words")


if __name__ == "__main__":
    main()
