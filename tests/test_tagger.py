"""The learned tagger: training from gold files, determinism, tagging, the packaged model."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg import pipeline, train
from kg.cli import main
from kg.extract import merge, tagger
from kg.extract.names import mention
from kg.model import Mention
from tests.helpers import make_doc

#: Made-up report lines (not from any real report): a header that fixes city and year, then
#: sentences with named railways, parks and programmes in several shapes.
_LINES = [
    "——2031年1月9日在衢州市第九届人民代表大会第一次会议上",
    "一、2030年工作回顾",
    "全面建成{r1}，开工建设{r2}衢州至江山段。",
    "深入实施“{p1}”行动，推进{p2}工程。",
    "{c1}、{c2}等产业链加快发展，{park}建成投用。",
    "二、2031年工作安排",
    "加快推进{r2}，谋划{r1}二期。",
    "持续深化“{p1}”行动，做强{c1}产业链。",
]
_NAMES = [
    dict(r1="青龙铁路", r2="白鹭高速", p1="百企攀登", p2="千村焕新", c1="智能传感", c2="绿色建材",
         park="南湖科技园"),
    dict(r1="金坛铁路", r2="东溪高速", p1="万人助企", p2="百镇提质", c1="生物医药", c2="新型显示",
         park="北岸创业园"),
    dict(r1="翠屏铁路", r2="西岭高速", p1="双百护航", p2="千岗共富", c1="精细化工", c2="光伏组件",
         park="东港智造园"),
]


def _write_gold(tmp_path, n=3):
    texts = tmp_path / "texts"
    texts.mkdir()
    for k, names in enumerate(_NAMES[:n]):
        text = "\n".join(line.format(**names) for line in _LINES) + "\n"
        seed = f"r{k}.txt"
        (texts / seed).write_text(text, encoding="utf-8")
        gold = {
            "seed": seed, "city": "衢州市", "report_year": 2031, "review_year": 2030,
            "projects": [
                {"name": names["r1"], "surface": names["r1"], "type": "railway",
                 "quote": f"全面建成{names['r1']}"},
                {"name": names["r2"], "surface": names["r2"] + "衢州至江山段", "type": "highway",
                 "quote": f"开工建设{names['r2']}衢州至江山段"},
                {"name": names["park"], "surface": names["park"], "type": "park_platform",
                 "quote": f"{names['park']}建成投用"},
            ],
            "policies": [
                {"name": names["p1"] + "行动", "surface": f"“{names['p1']}”行动",
                 "level": "municipal", "quote": f"深入实施“{names['p1']}”行动"},
                {"name": names["p2"] + "工程", "surface": names["p2"] + "工程",
                 "level": "municipal", "quote": f"推进{names['p2']}工程"},
            ],
            "industry_chains": [
                {"name": names["c1"], "surface": names["c1"], "quote": f"{names['c1']}、"},
                {"name": names["c2"], "surface": names["c2"], "quote": f"{names['c2']}等产业链"},
            ],
        }
        (tmp_path / f"r{k}.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    return tmp_path


def test_gold_spans_use_the_name_inside_the_surface(tmp_path):
    gold_dir = _write_gold(tmp_path, 1)
    gold, text = train.load_gold(gold_dir / "r0.json", gold_dir / "texts")
    spans = {text[a:b]: cls for a, b, cls in train.gold_spans(gold, text)}
    assert spans["白鹭高速"] == "Project"  # the name, not 白鹭高速衢州至江山段
    assert "白鹭高速衢州至江山段" not in spans
    assert spans["百企攀登”行动"] == "Policy"  # the name 百企攀登行动, read past the marks
    assert spans["智能传感"] == "IndustryChain"


def test_labels_are_bioes_per_sentence(tmp_path):
    gold_dir = _write_gold(tmp_path, 1)
    seqs = list(train.sequences(gold_dir / "r0.json", gold_dir / "texts"))
    assert all(len(x) == len(y) for x, y in seqs)
    runs = [tagger.spans(y) for _x, y in seqs]
    assert any(cls == "Project" for r in runs for _a, _b, cls in r)
    for _x, y in seqs:
        assert all(t == "O" or t[:2] in ("B-", "I-", "E-", "S-") for t in y)


def test_training_is_deterministic_and_learns(tmp_path):
    gold_dir = _write_gold(tmp_path)
    paths = sorted(gold_dir.glob("*.json"))
    first = train.fit(paths, gold_dir / "texts")
    second = train.fit(list(reversed(paths)), gold_dir / "texts")
    assert first.model == second.model  # same data, same bytes, whatever the order given
    text = "\n".join(line.format(**_NAMES[0]) for line in _LINES) + "\n"
    ex = pipeline.process(text, tagger=first)
    labels = {(e.kind, e.label) for e in ex.entities}
    assert ("Project", "青龙铁路") in labels
    assert ("Project", "白鹭高速") in labels
    project = next(e for e in ex.entities if e.label == "青龙铁路")
    assert project.attr("type") == "railway"
    policy = next(e for e in ex.entities if e.kind == "Policy")
    assert policy.attr("level") in ("national", "provincial", "municipal")


def test_kg_train_writes_the_model(tmp_path):
    gold_dir = _write_gold(tmp_path)
    out = tmp_path / "model.crfsuite"
    result = CliRunner().invoke(main, ["train", "--gold", str(gold_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and "sha256" in result.output
    assert tagger.Tagger.load(out).model == out.read_bytes()


def test_kg_train_names_a_missing_text(tmp_path):
    gold_dir = _write_gold(tmp_path, 1)
    (gold_dir / "texts" / "r0.txt").unlink()
    result = CliRunner().invoke(main, ["train", "--gold", str(gold_dir),
                                       "--out", str(tmp_path / "m.crfsuite")])
    assert result.exit_code == 1
    assert "r0.json" in result.output and "missing" in result.output


def test_the_packaged_model_ships_and_tags():
    assert tagger.MODEL_PATH.is_file(), "kg/data/models/tagger.crfsuite must ship (kg train)"
    model = tagger.Tagger.load(tagger.MODEL_PATH)
    tags = model.tag_sentence("加快建设衢丽铁路和杭衢高铁。", [])
    assert len(tags) == 14 and set(tags) <= {"O", *(f"{p}-{c}" for p in "BIES"
                                                     for c in tagger.CLASSES)}


def test_rules_alone_when_the_tagger_is_off(monkeypatch):
    monkeypatch.setenv("KG_TAGGER", "off")
    tagger.default.cache_clear()
    try:
        assert tagger.default() is None
    finally:
        monkeypatch.delenv("KG_TAGGER")
        tagger.default.cache_clear()


@pytest.mark.parametrize("text", ["", "。", "“", "”“", "铁路", "a" * 50])
def test_tagging_odd_text_never_raises(text):
    model = tagger.Tagger.load(tagger.MODEL_PATH)
    assert len(model.tag_sentence(text, [])) == len(text)


def test_merge_keeps_places_and_gives_tagged_names_the_rules_attributes():
    place = Mention("County", "柯城区", "柯城", 0, 0, 2)
    rule = Mention("Policy", "八八战略", "八八战略", 0, 10, 14)  # not tagged: the tagger decides
    rule_cut = Mention("Project", "铁路", "铁路", 0, 22, 24, (("type", "railway"),))
    tagged = Mention("Project", "衢丽铁路", "衢丽铁路", 0, 20, 24, (("type", "other"),))
    kept = merge([place, rule, rule_cut], [tagged])
    assert [m.label for m in kept] == ["柯城区", "衢丽铁路"]
    assert kept[-1].attr("type") == "railway"  # the overlapping rule's type


def test_rule_names_are_kept_by_the_models_confidence(monkeypatch):
    assert tagger.RULE_CONFIDENCE["Project"] > 0  # projects: only those the model finds likely
    model = tagger.Tagger.load(tagger.MODEL_PATH)
    doc = make_doc("加快建设衢丽铁路，推进甲乙丙科技园和丁戊己公园建设，实施“八八战略”。")
    rules = [m for m in train.rule_mentions(doc) if m.kind in tagger.CLASSES]
    sentence = doc.sentences[0].text
    model.tag_sentence(sentence, [])
    for m in rules:
        a = sentence.find(m.surface)
        assert 0.0 <= model.span_probability(a, a + len(m.surface), m.kind) <= 1.0

    def found(threshold: float) -> set[tuple[str, str]]:
        monkeypatch.setattr(tagger, "RULE_CONFIDENCE", dict.fromkeys(tagger.CLASSES, threshold))
        return {(m.kind, m.label) for m in model.mentions(doc, rules)}

    tagged_only, every_rule = found(1.01), found(0.0)
    assert tagged_only <= every_rule
    assert every_rule - tagged_only <= {(m.kind, m.label) for m in rules}


def test_a_suffixless_project_in_a_production_clause_is_industrial():
    assert tagger._attrs(None, "Project", "龙腾精工", "", "龙腾精工项目建成投产") == (
        ("type", "industrial"),)
    assert tagger._attrs(None, "Project", "龙腾精工", "", "龙腾精工启用") == (("type", "other"),)
    assert tagger._attrs(None, "Project", "白鹭铁路", "", "白鹭铁路签约") == (("type", "railway"),)
    assert tagger._clause("甲，开工建设乙项目，丙。", 6, 8) == "开工建设乙项目"


def test_an_item_headed_like_the_found_projects_of_its_list_is_one():
    text = "启动甲乙湿地公园、丙丁观光园、戊己公园建设"
    found = [(2, 8, "甲乙湿地公园", "Project"), (15, 19, "戊己公园", "Project")]
    assert [f[2] for f in tagger.list_siblings(text, found)] == ["甲乙湿地公园", "丙丁观光园", "戊己公园"]
    # one found project is not a list of them; an item headed otherwise is not named
    assert tagger.list_siblings(text, found[:1]) == found[:1]
    text = "启动甲乙湿地公园、丙丁规划、戊己公园建设"
    assert tagger.list_siblings(text, found) == found


def test_a_rule_name_of_the_same_span_that_goes_on_names_the_tagged_item():
    model = tagger.Tagger.load(tagger.MODEL_PATH)
    doc = make_doc("深入开展甲乙丙提升、丁戊己提升等行动。")
    sentence = doc.sentences[0]
    model.tag_sentence(sentence.text, [])
    a = sentence.text.index("甲乙丙提升")
    rule = mention(doc, sentence, "Policy", "甲乙丙提升行动", a, a + 5)  # the list's lent head
    found = [(a, a + 5, "甲乙丙提升", "Policy")]
    assert model._confident_rules(doc, sentence, [rule], found) == [
        (a, a + 5, "甲乙丙提升行动", "Policy")]
    other = mention(doc, sentence, "Policy", "戊己提升行动", a, a + 5)  # not the tagged text
    assert model._confident_rules(doc, sentence, [other], found) == found


def test_no_project_is_named_in_a_clause_about_an_honour():
    model = tagger.Tagger.load(tagger.MODEL_PATH)

    def projects(text: str) -> set[str]:
        doc = make_doc(text)
        return {m.label for m in model.mentions(doc, train.rule_mentions(doc))
                if m.kind == "Project"}

    assert "甲乙丙博物馆" in projects("建成甲乙丙博物馆，开工建设丁戊铁路。")
    assert "甲乙丙博物馆" not in projects("甲乙丙博物馆入选国家一级博物馆名单，开工建设丁戊铁路。")


def test_a_tagged_policy_span_joining_two_programmes_is_two():
    text = "开展甲乙提升行动和丙丁护航计划"
    got = tagger.coordinated(text, [(2, len(text), "Policy")])
    assert [name for _, _, name, _ in got] == ["甲乙提升行动", "丙丁护航计划"]
    # a first part without a programme head of its own: one name
    text = "开展甲乙、丙丁专项行动"
    assert [name for _, _, name, _ in tagger.coordinated(text, [(2, len(text), "Policy")])] == [
        "甲乙、丙丁专项行动"]
    # a quoted name keeps its marks inside
    text = "推行“甲乙行动、丙丁行动”"
    assert len(tagger.coordinated(text, [(2, len(text), "Policy")])) == 1


def test_a_name_ends_with_a_word_or_a_head():
    from kg.extract.features import ends_with_head

    text = "推进甲乙工程建设"
    ends = tagger._word_ends(text)
    assert len(text) in ends and text.index("建") not in ends  # 工程建设 is one word
    # 甲乙工程 ends inside it but with a head, and is a name; 甲乙工 is not
    assert ends_with_head("甲乙工程") and not ends_with_head("甲乙工")
