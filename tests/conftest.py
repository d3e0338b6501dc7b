"""Shared fixtures: a real Oxigraph store built once from the sample corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT.parent / "shared" / "gold"

#: What each sample report is about (checked by reading the texts).
EXPECTED_REPORTS = {
    "000_759fef2eaf5c0f7f.txt": ("衢州市", 2024, 2023),
    "001_5e9ac6a1cf9e1153.txt": ("衢州市", 2020, 2019),
    "002_733bae2f39fed286.txt": ("丽水市", 2024, 2023),
    "003_7c5903245687c230.txt": ("湖州市", 2024, 2023),
    "004_f4139d6273d944ae.txt": ("衢州市", 2015, 2014),
}


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """(store path, build results) of the whole sample corpus, built once per test run."""
    from kg import pipeline

    path = tmp_path_factory.mktemp("corpus") / "store"
    results = pipeline.build([CORPUS], path, progress=False)
    return path, results


@pytest.fixture(scope="session")
def corpus_store(corpus_build):
    """The corpus store, opened read-only (several tests share it)."""
    from kg.store import open_store

    return open_store(corpus_build[0], read_only=True)
