"""The learned project types (kg.extract.project_typer): what it learns, its bytes, its use."""

from __future__ import annotations

import json

from kg import pipeline, train
from kg.extract import tagger
from kg.extract.project_typer import ProjectTyper, beside, features
from tests.test_tagger import _LINES, _NAMES, _write_gold

#: Made-up names (no real report's): types a suffix cannot tell.
_EXAMPLES = [
    ("甲乙80万吨合金铝", "industrial", "甲乙80万吨合金铝项目建成投产"),
    ("丙丁20万吨钢材", "industrial", "丙丁20万吨钢材项目开工"),
    ("戊己30万吨铜箔", "industrial", "戊己30万吨铜箔投产"),
    ("甲乙核电", "energy", "加快甲乙核电建设"),
    ("丙丁核电", "energy", "丙丁核电开工"),
    ("甲乙铁路", "railway", "建成甲乙铁路"),
    ("丙丁铁路", "railway", "开工丙丁铁路"),
    ("甲乙中学", "other", "建成甲乙中学"),
]


def test_learns_types_no_suffix_gives():
    typer = ProjectTyper.fit(_EXAMPLES)
    assert typer.type("庚辛50万吨铝材", "庚辛50万吨铝材项目投产") == "industrial"
    assert typer.type("庚辛核电") == "energy"
    assert typer.type("庚辛铁路") == "railway"
    assert "sfx=railway" in features("庚辛铁路") and "digit" in features("甲50万吨")


def test_bytes_are_deterministic_and_round_trip():
    first, second = ProjectTyper.fit(_EXAMPLES), ProjectTyper.fit(reversed(_EXAMPLES))
    assert first.to_json() == second.to_json()
    again = ProjectTyper.from_json(first.to_json())
    assert all(again.type(n, s) == first.type(n, s) for n, _t, s in _EXAMPLES)


def test_kg_train_writes_the_typer_beside_the_model(tmp_path):
    gold_dir = _write_gold(tmp_path)
    out = train.train(gold_dir, out=tmp_path / "m.crfsuite")
    types = beside(out)
    assert types.name == "m.types.json" and types.is_file()
    data = json.loads(types.read_text(encoding="utf-8"))
    assert data["names"] == {"railway": 3, "highway": 3, "park_platform": 3}
    loaded = tagger.Tagger.load(out)
    assert loaded.typer is not None and loaded.typer.to_json() == types.read_text().strip()


def test_the_typer_types_every_project_mention(tmp_path):
    gold_dir = _write_gold(tmp_path)
    model = train.fit(sorted(gold_dir.glob("*.json")), gold_dir / "texts")
    assert model.typer is not None
    text = "\n".join(line.format(**_NAMES[0]) for line in _LINES) + "\n"
    ex = pipeline.process(text, tagger=model)
    types = {e.label: e.attr("type") for e in ex.entities if e.kind == "Project"}
    assert types["青龙铁路"] == "railway" and types["白鹭高速"] == "highway"
    # the typer changes types only: without it the same model finds the same names
    plain = pipeline.process(text, tagger=tagger.Tagger(model.model))
    assert {e.label for e in plain.entities} == {e.label for e in ex.entities}


def test_the_packaged_typer_ships():
    model = tagger.Tagger.load(tagger.MODEL_PATH)
    assert model.typer is not None, "kg/data/models/tagger.types.json must ship (kg train)"
    assert set(model.typer.names) <= {"railway", "highway", "airport", "port_waterway",
                                      "water", "energy", "industrial", "park_platform",
                                      "urban", "other"}
