"""The closed vocabulary matches the ontology, and the ontology describes every class."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.vocab import GK, ONTOLOGY

ONT = Path(__file__).resolve().parent.parent / "ontology" / "gov-kg.ttl"


@pytest.fixture(scope="module")
def ontology():
    store = ox.Store()
    store.load(path=str(ONT), format=ox.RdfFormat.TURTLE)
    return store


def declared(store) -> set[str]:
    return {q.subject.value.removeprefix(ONTOLOGY) for q in store
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ONTOLOGY)
            and q.predicate.value.endswith("#type")}


def test_every_term_is_declared(ontology):
    missing = sorted(GK.terms - declared(ontology))
    assert missing == []


def test_every_declared_term_is_in_vocab(ontology):
    assert sorted(declared(ontology) - GK.terms) == []


@pytest.mark.parametrize("cls", ["City", "County", "Year", "Report", "Project", "IndustryChain",
                                 "Policy", "Indicator", "Observation"])
def test_classes_have_chinese_and_english_labels(ontology, cls):
    labels = {(q.object.value, q.object.language) for q in ontology.quads_for_pattern(
        GK[cls], ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None)}
    assert {lang for _, lang in labels} == {"zh", "en"}


def test_properties_have_domain_or_range(ontology):
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    for term in GK.terms:
        if term[0].islower():
            node = GK[term]
            has = any(next(ontology.quads_for_pattern(node, ox.NamedNode(rdfs + p), None), None)
                      for p in ("domain", "range"))
            assert has, term


def test_unknown_term_is_an_error():
    with pytest.raises(AttributeError):
        GK.Citty  # noqa: B018
