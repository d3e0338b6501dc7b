"""Industry chains: collective designations and list members (hand-written cases)."""

from __future__ import annotations

from kg.extract.industry_chains import canonical_chain, extract_industry_chains
from tests.helpers import make_doc


def chains(text: str) -> set[str]:
    return {m.label for m in extract_industry_chains(make_doc(text))}


def test_members_listed_before_a_closing_head():
    assert chains("培育壮大储能、氢能、商业航天等未来产业。") == {"储能", "氢能", "商业航天"}


def test_members_sharing_the_head_noun():
    assert chains("推动光伏、锂电、电子化学品产业的补链强链。") == {"光伏", "锂电", "电子化学品"}


def test_collective_designations():
    assert chains("“3+6”产业加快集聚。") == {"3+6产业"}
    assert chains("八大特色产业链产值增长8%。") == {"八大特色产业链"}


def test_generic_industry_words_are_not_chains():
    assert chains("高新技术产业投资增长9%，大力发展文化产业。") == set()


def test_canonical_chain_drops_the_head_after_a_known_sector():
    assert canonical_chain("集成电路全链条产业") == "集成电路"
    assert canonical_chain("海洋生物医药产业") == "海洋生物医药"
    assert canonical_chain("竹木家居产业") == "竹木家居产业"


def test_members_of_a_list_closed_by_deng_and_a_bare_head():
    # 等产业 closes a list of industries even with nothing after 产业 that speaks of chains
    found = chains("支持甲药材、乙蜂、丙水果、丁菌等产业发展。")
    assert {"甲药材", "乙蜂", "丙水果", "丁菌"} <= found
    found = chains("加强数字经济与甲电路、乙机器人、丙装备等产业的融合渗透。")
    assert {"甲电路", "乙机器人", "丙装备"} <= found and "数字经济与甲电路" not in found


def test_a_count_closes_a_list_and_names_the_collective():
    found = chains("持续培育壮大甲茶、乙猪、丙菜、丁果5个百亿级产业集群。")
    assert found == {"甲茶", "乙猪", "丙菜", "丁果", "5个百亿级产业集群"}
    assert chains("推动八大特色传统产业高质量发展。") == {"八大特色传统产业"}
    assert "一条产业链" not in chains("打造一条产业链。")  # one is not a collective


def test_lists_closed_by_a_cluster_or_a_business_form_name_chains():
    assert chains("推动甲乙、丙丁、戊己等集群发展。") == {"甲乙", "丙丁", "戊己"}
    assert chains("培育甲乙、丙丁等新业态。") == {"甲乙", "丙丁"}


def test_examples_of_an_industry_are_not_chains_the_industry_is():
    assert chains("培育发展以甲乙、丙丁等为代表的民族特色产业。") == {"民族特色产业"}


def test_a_count_of_an_industrys_bases_or_platforms_is_no_collective_chain():
    assert chains("建设五大产业基地。") == set()
    assert chains("打造十大特色产业平台。") == set()
