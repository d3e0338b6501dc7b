"""Word clusters (kg.clusters) and the tagger's cluster features (kg.extract.features)."""

from __future__ import annotations

import itertools

from kg import clusters
from kg.extract import features

FRUIT = ("苹果", "香蕉", "橘子", "葡萄")
SPORT = ("跑步", "游泳", "跳舞", "爬山")


def _texts() -> list[str]:
    """Two kinds of words, each used in its own frames: 吃…了 and 去…吧."""
    out = []
    for i, (fruit, sport) in enumerate(itertools.product(FRUIT, SPORT)):
        who = ("我们", "他们")[i % 2]
        out.append(f"{who}吃{fruit}了。{who}去{sport}吧。" * 3)
    return out


def test_words_used_alike_share_a_cluster():
    rows = clusters.table(_texts(), min_count=5, sizes=(2, 4))
    by_word = {row[0]: row[1:] for row in rows}
    assert set(FRUIT) | set(SPORT) <= set(by_word)
    # the coarse level puts each kind in one cluster, and the two apart
    assert len({by_word[w][0] for w in FRUIT}) == 1
    assert len({by_word[w][0] for w in SPORT}) == 1
    assert by_word[FRUIT[0]][0] != by_word[SPORT[0]][0]
    # the finer level may split a kind (k-means with more clusters than kinds of use, whose
    # split depends on the BLAS's rounding) but never mixes the two
    assert not {by_word[w][1] for w in FRUIT} & {by_word[w][1] for w in SPORT}


def test_table_is_deterministic_and_ordered_by_frequency():
    first = clusters.table(_texts(), min_count=5, sizes=(2, 4))
    assert first == clusters.table(_texts(), min_count=5, sizes=(2, 4))
    words = [row[0] for row in first]
    assert len(words) == len(set(words))
    assert all(int(c) in range(4) for row in first for c in row[2:])


def test_rare_words_and_empty_input_get_no_cluster():
    assert clusters.table(["只说一次的话。"], min_count=2) == []
    assert clusters.table([], min_count=2) == []


def test_written_table_round_trips(tmp_path):
    rows = clusters.table(_texts(), min_count=5, sizes=(2, 4))
    path = clusters.write(rows, tmp_path / "c.tsv")
    assert [tuple(line.split("\t")) for line in path.read_text(encoding="utf-8").splitlines()] \
        == rows


def test_packaged_table_feeds_the_tagger():
    lines = features.CLUSTERS_PATH.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 10_000
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 1 + len(features.CLUSTER_SIZES) for r in rows)
    assert all(int(c) < k for r in rows for c, k in zip(r[1:], features.CLUSTER_SIZES,
                                                        strict=True))
    by_word = {r[0]: r for r in rows}
    # words of one kind share their finest cluster more often than chance (1 in 512)
    assert by_word["铁路"][3] == by_word["高速公路"][3] or by_word["铁路"][2] == by_word[
        "高速公路"][2]
    feats = features.sentence_features("建设铁路。", [])
    assert {f"k{k}={c}" for k, c in zip(features.CLUSTER_SIZES, by_word["铁路"][1:],
                                        strict=True)} <= set(feats[2])
    unknown = "彧"
    assert unknown not in by_word
    assert "k=none" in features.sentence_features(unknown, [])[0]
