"""Resolution: keys, aliases, merged attributes, determinism; and extractors never crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import REGISTRY
from kg.extract.names import norm_key
from kg.model import Document, Mention
from kg.resolve import canonical_label, resolve
from tests.helpers import make_doc


def run(doc: Document, names=("projects", "policies", "industry_chains")):
    mentions = [m for n in names for m in REGISTRY[n].func(doc)]
    return resolve(doc, mentions)


def test_same_project_in_two_reports_has_the_same_key():
    a = run(make_doc("开工建设杭温铁路义乌至温州段。"))
    b = run(make_doc("杭温铁路建成通车，城市展览馆开馆。"))
    key_a = {e.key for e in a if e.kind == "Project"}
    assert key_a == {"杭温铁路"} and key_a <= {e.key for e in b}


def test_quotation_mark_variants_give_one_key():
    forms = ["“八八战略”", "「八八战略」", '"八八战略"', "『八八战略』"]
    assert {norm_key(f) for f in forms} == {"八八战略"}
    ms = [Mention("Policy", f, f, i, i * 10, i * 10 + 6) for i, f in enumerate(forms)]
    (entity,) = resolve(None, ms)
    assert (entity.key, len(entity.mentions)) == ("八八战略", 4)


def test_places_are_keyed_by_code():
    ms = [
        Mention("County", "柯城区", "柯城", 0, 0, 2, (("code", "330802"),)),
        Mention("County", "柯城区", "柯城区", 1, 9, 12, (("code", "330802"),)),
        Mention("City", "衢州市", "衢州", 1, 20, 22, (("code", "330800"),)),
    ]
    entities = resolve(None, ms)
    assert [(e.kind, e.key, e.label) for e in entities] == [
        ("City", "330800", "衢州市"), ("County", "330802", "柯城区")]
    assert entities[1].aliases == ("柯城",)


def test_attrs_merge_first_non_empty_and_aliases_are_other_surfaces():
    ms = [
        Mention("Project", "甲乙铁路", "甲乙铁路甲城至乙镇段", 0, 0, 10, (("type", "railway"),)),
        Mention("Project", "甲乙铁路", "甲乙铁路", 3, 50, 54, (("type", ""),)),
    ]
    (e,) = resolve(None, ms)
    assert (e.label, e.attr("type"), e.aliases) == ("甲乙铁路", "railway", ("甲乙铁路甲城至乙镇段",))


def test_canonical_label_maps_lexicon_aliases():
    assert canonical_label("Policy", "新时代“枫桥经验”") == "枫桥经验"
    assert canonical_label("Project", "甲乙丙高速公路丙县段") == "甲乙丙高速"


def test_output_is_deterministic_and_sorted():
    doc = make_doc("推进城东、城西片区有机更新，深入实施“凤凰行动”。培育储能、氢能等未来产业。")
    first, second = run(doc), run(doc)
    assert first == second
    assert [(e.kind, e.key) for e in first] == sorted((e.kind, e.key) for e in first)


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    list("“”‘’「」《》、，。；：等和及与省市国家工程行动战略计划改革产业链片区铁路国道项目条")
    + list("一二三四五六七八九十0123456789+—（）() 开工建设深入实施推进城东衢江凤凰千万"),
), max_size=80) | st.text(max_size=60))
def test_no_extractor_raises_on_arbitrary_text(text):
    doc = make_doc(text)
    for name in ("projects", "policies", "industry_chains"):
        for m in REGISTRY[name].func(doc):
            assert 0 <= m.start <= m.end <= len(doc.text)
    run(doc)


def test_a_name_that_ran_into_a_parenthesis_stops_before_it():
    assert canonical_label("Project", "甲乙福利院（丙丁福利院") == "甲乙福利院"
    assert canonical_label("Project", "甲（乙）创新中心") == "甲（乙）创新中心"
