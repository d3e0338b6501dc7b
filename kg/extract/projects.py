"""Projects: railways, highways, airports, waterways, power stations, parks, urban renewal …

Found by shape, not by a list of names (every report brings new ones). One function per rule,
each proposing :class:`~kg.extract.names.Candidate` s for the items of a clause:

* ``type_suffix``: a list item ending with a type suffix from ``project_types.tsv`` (铁路, 国道,
  电站, 片区 …) in a clause with a construction verb (开工, 建成, 推进 …); the name starts after
  the governing verb run (``开工建设<X>抽蓄电站``);
* ``project_list``: the items of ``A、B、C等(重大)项目`` or ``“A”、“B”等…街区`` lists, whatever
  their shape;
* ``named_project``: ``<proper name>项目`` (``<公司名>项目`` → the company name);
* ``shared_head``: bare list items share the head noun of the last one (``城东、城西片区`` →
  城东片区, 城西片区).

The canonical name is the shortest proper name (:func:`canonical_project`); its type comes from
the suffix (:func:`project_type`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache

import ahocorasick

from kg.extract import register
from kg.extract.names import (
    QUOTE_CHARS,
    Candidate,
    after_lead,
    clauses,
    drop_overlaps,
    is_cjk_name,
    matches_pattern,
    mention,
    split_items,
    unquote,
)
from kg.lexicon import load_table, load_words
from kg.model import Document, Mention, Sentence

KIND = "Project"
#: The project types of the gold GUIDELINES.
TYPES = ("railway", "highway", "airport", "port_waterway", "water", "energy", "industrial",
         "park_platform", "urban", "other")
_SEGMENT = re.compile(r"(?:[^，、。；和]{0,10}?至[^，、。；和]{1,10}?段|[^，、。；和至]{2,4}段)")
_PHASE = re.compile(r"(?:[一二三四五]期(?:工程|项目)?|启动区)")
#: Heads of linear works, which reports build in sections (甲乙铁路丙县段, 甲路延伸段).
_ROADS = ("铁路", "高铁", "轨道交通", "高速公路", "高速", "国道", "省道", "航道", "公路", "快速路",
          "专用线", "大道", "路")
#: Segment qualifiers dropped from a canonical name: a route section (甲至乙段) or a named or
#: positional one (丙县段, 中段, 延伸段). An extension (甲大道东延) is a project of its own.
_CANON = re.compile(
    r"^(?P<base>[GS]\d{1,4}|.+?(?:" + "|".join(_ROADS) + r"))(?:[^至]{0,10}至.{1,12}段|.{1,5}段)$"
)
#: A phase written inside a name (甲乙二期围垦工程 → 甲乙围垦工程; 甲乙三期主体工程 → 甲乙工程).
_PHASE_INNER = re.compile(r"[一二三四五六七八九十]期(?:主体)?(?=.{2})")
_PHASE_END = re.compile(r"(?:[一二三四五]期(?:工程|项目)?|启动区)$")
_LIST_END = re.compile(r"等([^，。；“”]{0,12}?)(项目)")
_LIST_TAIL = re.compile(r"等([^，。；“”]{0,12})")
#: A counted or ranked phrase (3个片区, 十大工程) is a category, not a name.
_COUNTED = re.compile(
    r"[\d一二三四五六七八九十两]+[个家所座条项批月]|[二三四五六七八九十]大"
    r"|[\dA-Za-z]+级|[一二三四五六七八九十]*[百千万亿]+级"  # 5A级, 千亿级
    r"|^[一二三四五六七八九十]+级")  # a grade alone is a category (三级医院); 甲河三级航道 is named
#: Where a name starts inside a described item: after 的 or "the first" (全国首个<X>电站).
_DESCRIBED = re.compile(r".*(?:的|首[个座条家批])")
#: A name never ends with a preposition or conjunction (从<X>项目 is a phrase).
_FUNCTION_END = "从对把将向在与和及"
#: Nor starts with a preposition (加大对<X>的投入).
_PREPOSITIONS = "对把将向"
_ZONE_PREFIX = re.compile(r"^.{2,4}?(?:经开区|高新区|开发区)")
#: A bare list item ending like this is a street, park or venue name already (X东路).
_OWN_HEAD = "路街桥园馆站"
RULES = ("type_suffix", "project_list", "named_project", "shared_head")


@cache
def _types() -> tuple[tuple[str, str, str], ...]:
    rows = load_table("project_types")
    return tuple(sorted(((r["suffix"], r["type"], r["strength"]) for r in rows),
                        key=lambda t: -len(t[0])))


@cache
def _suffix_automaton() -> ahocorasick.Automaton:
    """Every strong or weak suffix (list-strength ones only qualify list items)."""
    auto = ahocorasick.Automaton()
    for suffix, typ, strength in _types():
        if strength != "list":
            auto.add_word(suffix, (suffix, typ))
    auto.make_automaton()
    return auto


@cache
def _verb_pattern() -> re.Pattern[str]:
    return _alternation(load_words("project_verbs"))


@cache
def _list_verb_pattern() -> re.Pattern[str]:
    return _alternation((*load_words("project_verbs"), *load_words("lead_words")))


@cache
def _honour_pattern() -> re.Pattern[str]:
    return _alternation(load_words("project_honour_words"))


def honoured(clause: str) -> bool:
    """Whether ``clause`` reports an honour or a ranking (入选, 获评 …: ``project_honour_words``)
    rather than construction: what it names is an existing institution or place."""
    return bool(_honour_pattern().search(clause))


@cache
def _generic_pattern() -> re.Pattern[str]:
    return _alternation(load_words("project_generic_words"))


def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w)))))


def canonical_project(label: str) -> str:
    """Shortest proper name: no quotes, segment or phase qualifiers, trailing 项目; 高速公路 → 高速.

    >>> canonical_project("甲乙铁路甲城至乙镇段")
    '甲乙铁路'
    >>> canonical_project("甲乙丙高速公路丙县段")
    '甲乙丙高速'
    >>> canonical_project("甲乙高铁丙城至丁镇段"), canonical_project("甲乙路延伸段")
    ('甲乙高铁', '甲乙路')
    >>> canonical_project("甲乙大道中段"), canonical_project("甲乙大道东延")
    ('甲乙大道', '甲乙大道东延')
    >>> canonical_project("G318甲城至乙镇段")
    'G318'
    >>> canonical_project("滨江金融中心一期")
    '滨江金融中心'
    >>> canonical_project("甲乙湾二期围垦工程")
    '甲乙湾围垦工程'
    >>> canonical_project("甲乙科技项目")
    '甲乙科技'
    """
    name = unquote(label).strip()
    m = _CANON.match(name)
    if m:
        name = m.group("base")
    name = _PHASE_END.sub("", name)
    inner = _PHASE_INNER.sub("", name)
    name = inner if len(inner) >= 4 else name
    if name.endswith("项目") and len(name) > 4:
        name = name[:-2]
    if name.endswith("高速公路"):
        name = name[:-2]
    return name


#: The most characters a head lent to a list's bare items may have (考古遗址公园).
MAX_LENT_HEAD = 8
#: A word this frequent in jieba's dictionary is a common word (:func:`common_word`).
COMMON_WORD = 500


def type_of(name: str, *, in_list: bool = False) -> tuple[str, str] | None:
    """(suffix, type) of the longest type suffix ``name`` ends with."""
    for suffix, typ, strength in _types():
        if name.endswith(suffix) and (in_list or strength != "list"):
            return suffix, typ
    return None


def lent_head(last: str, bare: Sequence[str]) -> str:
    """The head noun a list's last item lends to the bare items before it (``""`` when it has
    no type suffix): its type suffix and the common modifier words before it
    (:func:`_modifier`: 通用 in 通用机场) that do not belong to the part of it parallel to the
    bare items; the cut nearest their mean length wins (ties: the longer head).

    >>> lent_head("丙丁通用机场", ["甲乙"]), lent_head("丙丁机场", ["甲乙"])
    ('通用机场', '机场')
    """
    hit = type_of(last)
    if hit is None:
        return ""
    at = len(last) - len(hit[0])
    if not bare or at < 1:
        return hit[0]
    from kg.extract.features import tokenizer  # the tagger's jieba, with the lexicons' words

    cuts = [at]
    for word in reversed(tokenizer().lcut(last[:at], HMM=False)[1:]):  # the first is its own
        if not _modifier(word) or len(last) - at + len(word) > MAX_LENT_HEAD:
            break
        at -= len(word)
        cuts.append(at)
    target = sum(map(len, bare)) / len(bare)
    return last[min(cuts, key=lambda c: (abs(c - target), c)):]


def _modifier(word: str) -> bool:
    """A word that can modify a shared head noun: two characters or more, a common word
    (:func:`common_word`) and not a head of its own (大道 in 甲大道片区 is the item's)."""
    return len(word) >= 2 and common_word(word) and type_of(word) is None


@cache
def common_word(word: str) -> bool:
    """A frequent word of jieba's dictionary that is not a place name (the gazetteer's places
    are user words of the tokenizer, with a high made-up frequency): 城市, 通用, 化工."""
    from kg.extract.features import tokenizer  # the tagger's jieba, with the lexicons' words

    places = _gazetteer()
    return tokenizer().FREQ.get(word, 0) >= COMMON_WORD and not (places and places.lookup(word))


def project_type(name: str) -> str:
    """The type of a project name, from its type suffix (``other`` when none fits).

    >>> project_type("甲乙铁路"), project_type("甲乙铁路甲城至乙镇段"), project_type("龙腾科技")
    ('railway', 'railway', 'industrial')
    >>> project_type("城市会客厅")
    'other'
    """
    for form in (unquote(name).strip(), canonical_project(name)):
        hit = type_of(form, in_list=True)
        if hit:
            return hit[1]
    return "other"


def suffix_end(text: str, a: int, b: int) -> int | None:
    """Where the furthest project type suffix in ``text[a:b]`` ends, or None."""
    hit = _suffix_end(text, a, b)
    return hit[0] if hit else None


def _suffix_end(text: str, a: int, b: int) -> tuple[int, str, str] | None:
    """The furthest type suffix in ``text[a:b]`` (the longest at that end): (end, suffix, type)."""
    best = None
    for last, (suffix, typ) in _suffix_automaton().iter(text, a, b):
        end = last + 1
        if best is None or end > best[0] or (end == best[0] and len(suffix) > len(best[1])):
            best = (end, suffix, typ)
    return best


@cache
def _strong_suffixes() -> frozenset[str]:
    return frozenset(suffix for suffix, _typ, strength in _types() if strength == "strong")


def _lead(text: str, a: int, b: int) -> int:
    """Start of a name in ``text[a:b]``: after governing verbs, construction verbs and quotes."""
    s0 = after_lead(text, a, b, extra=load_words("project_verbs"))
    while s0 < b and (text[s0] in QUOTE_CHARS or text[s0] in _PREPOSITIONS):
        s0 += 1
    return s0


def _generic(name: str, shortest: int = 3) -> bool:
    if _COUNTED.search(name) or "的" in name:  # a counted or described phrase, not a name
        return True
    return matches_pattern(name, load_words("project_stopwords")) or not is_cjk_name(name, shortest)


def _strip_county(name: str, gazetteer) -> str:
    """Drop a county or development-zone prefix from a company-like project name."""
    m = _ZONE_PREFIX.match(name)
    if m and len(name) - m.end() >= 3:
        return name[m.end() :]
    if gazetteer is None:
        return name
    for s, e, _word, places in gazetteer.find_all(name[:4]):
        if s == 0 and any(p.level == "county" for p in places) and len(name) - e >= 4:
            return name[e:]
    return name


def _gazetteer():
    try:
        from kg.gazetteer import default
    except ImportError:  # pragma: no cover - the gazetteer is another module's concern
        return None
    return default()


@dataclass(frozen=True)
class _Clause:
    """A clause ``text[a:b]`` and the list it holds: items end at ``list_end`` (a closing
    ``等…项目`` or ``等…<suffix>``), whose head gives ``list_type`` or marks them ``industrial``."""

    text: str
    a: int
    b: int
    list_end: int
    list_type: str | None = None
    industrial: bool = False
    verbless: bool = False  # no construction verb: only names with a strong suffix

    @property
    def in_list(self) -> bool:
        return self.list_end < self.b


def _clause(text: str, a: int, b: int) -> _Clause | None:
    """The clause's list (``verbless`` when it has neither a construction verb nor a list),
    or None for an honour."""
    body = text[a:b]
    if _honour_pattern().search(body):  # an honour or ranking, not construction
        return None
    m = _LIST_END.search(body)
    if m and any(v.end() < len(m.group(1)) for v in _list_verb_pattern().finditer(m.group(1))):
        m = None  # a verb inside 等…项目 governs what follows; 等续建项目 names a kind of project
    if m:
        clause = _Clause(text, a, b, a + m.start(),
                         industrial="制造业" in m.group(1) or "产业" in m.group(1))
    else:
        m2 = _LIST_TAIL.search(body)
        hit = _suffix_end(text, a + m2.start(), a + m2.end()) if m2 else None
        clause = _Clause(text, a, b, a + m2.start(), hit[2]) if m2 and hit else _Clause(text, a, b, b)
    if not (clause.in_list or _verb_pattern().search(body)):
        return replace(clause, verbless=True)
    return clause


def _split_pair(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """``A和B`` → two items when both end with a type suffix (not a company named 甲和乙).

    >>> _split_pair("甲乙铁路和丙丁水库", 0, 9)
    [(0, 4), (5, 9)]
    """
    k = text.find("和", a, b)
    if k > a and type_of(text[a:k]) and type_of(text[k + 1 : b]):
        return [(a, k), (k + 1, b)]
    return [(a, b)]


def _items(c: _Clause) -> list[tuple[int, int]]:
    items = split_items(c.text, c.a, c.list_end, conj="" if c.in_list else "和与")
    if c.in_list:  # split "A和B" inside a list only when both halves end with a type suffix
        items = [part for ia, ib in items for part in _split_pair(c.text, ia, ib)]
    return items


def _type_suffix(c: _Clause, ia: int, ib: int) -> Candidate | None:
    """Rule ``type_suffix``: the item ends with a type suffix (plus a segment or phase); in a
    clause with no construction verb, only a strong one (a project wherever it stands)."""
    text = c.text
    hit = _suffix_end(text, ia, ib)
    if hit is None or c.verbless and hit[1] not in _strong_suffixes():
        return None
    e, suffix, typ = hit
    s0 = _lead(text, ia, e - len(suffix))
    described = _DESCRIBED.match(text, s0, e - len(suffix))
    s0 = described.end() if described else s0
    if e - len(suffix) - s0 < 2:
        return None
    seg = _SEGMENT.match(text, e, ib) or _PHASE.match(text, e, ib)
    e = seg.end() if seg else e
    if text.startswith("项目", e):
        e += 2
    if e < ib and text[e] in QUOTE_CHARS:
        e += 1
    return Candidate(s0, e, 1, text[s0:e], "type_suffix", (("type", typ),))


def _project_list(c: _Clause, ia: int, ib: int) -> Candidate | None:
    """Rule ``project_list``: an item without a type suffix in a list closed by ``等…项目`` or
    ``等…<suffix>``."""
    if not c.in_list or _suffix_end(c.text, ia, ib):
        return None
    text = c.text
    s0 = _lead(text, ia, ib)
    e = ib
    while e > s0 and text[e - 1] in QUOTE_CHARS:
        e -= 1
    typ = type_of(unquote(text[s0:e]), in_list=True)
    kind = typ[1] if typ else (c.list_type or ("industrial" if c.industrial else "other"))
    return Candidate(s0, e, 1, text[s0:e], "project_list", (("type", kind),))


def _named_project(c: _Clause, ia: int, ib: int) -> Candidate | None:
    """Rule ``named_project``: ``<proper name>项目`` (not ``招商项目``, ``重大项目`` …)."""
    text = c.text
    k = text.find("项目", ia, ib)
    if k < 0 or c.in_list or _suffix_end(text, ia, ib):
        return None
    s0 = _lead(text, ia, k)
    if not _proper_core(text[s0:k]):
        return None
    return Candidate(s0, k + 2, 1, text[s0 : k + 2], "named_project", (("type", "industrial"),))


def _proper_core(name: str) -> bool:
    """Whether ``name`` can stand before 项目 as a proper name: three characters or more, no
    generic word (招商, 重大), not ending with a preposition or conjunction."""
    return len(name) >= 3 and not _generic_pattern().search(name) and name[-1] not in _FUNCTION_END


def _shared_project_head(c: _Clause, items: list[tuple[int, int]],
                         found: list[Candidate | None]) -> list[Candidate | None]:
    """Rule ``named_project`` over a list: bare names before a last item ``<name>项目`` are
    projects too (甲乙数控机床、丙丁刀片项目建设: both)."""
    last = found[-1] if found else None
    if last is None or last.rule != "named_project" or c.in_list:
        return found
    out = list(found)
    for k, (ia, ib) in enumerate(items[:-1]):
        if found[k] is not None:
            continue
        s0 = _lead(c.text, ia, ib)
        name = c.text[s0:ib]
        if _proper_core(name) and not _verb_pattern().search(name):
            out[k] = Candidate(s0, ib, 1, name, "named_project", last.attrs)
    return out


def _shared_head(c: _Clause, items: list[tuple[int, int]],
                 found: list[Candidate | None]) -> list[Candidate | None]:
    """Rule ``shared_head``: bare items before a suffixed last item take its head noun."""
    last = found[-1] if found else None
    if last is None or c.in_list:
        return found
    tail_name = canonical_project(unquote(last.name))
    tail = type_of(tail_name)
    if tail is None or len(tail_name) - len(tail[0]) > 4:
        return found
    bare: dict[int, tuple[int, str]] = {}
    for k, f in enumerate(found[:-1]):
        ia, ib = items[k]
        s0 = _lead(c.text, ia, ib)
        name = c.text[s0:ib]
        if f is None and 1 <= ib - s0 <= 4 and is_cjk_name(name, 2) and name[-1] not in _OWN_HEAD:
            bare[k] = (s0, name)
    head = lent_head(tail_name, [name for _, name in bare.values()])
    out = list(found)
    for k, (s0, name) in bare.items():
        out[k] = Candidate(s0, items[k][1], 1, name + head, "shared_head", (("type", tail[1]),))
    return out


def _clause_candidates(text: str, a: int, b: int, gazetteer) -> list[Candidate]:
    c = _clause(text, a, b)
    if c is None:
        return []
    items = _items(c)
    if c.verbless:  # a strong suffix names a project wherever it stands (project_types.tsv)
        found = [_type_suffix(c, ia, ib) for ia, ib in items]
    else:
        found = [_type_suffix(c, ia, ib) or _project_list(c, ia, ib) or _named_project(c, ia, ib)
                 for ia, ib in items]
    found = _shared_project_head(c, items, found)
    out = []
    for cand in _shared_head(c, items, found):
        if cand is None:
            continue
        name = canonical_project(cand.name)
        if cand.attr("type") == "industrial" or c.industrial:
            name = _strip_county(name, gazetteer)
        # an item of a 等…项目 list is named as a project whatever its length (a brand: 甲乙)
        if _generic(name, 2 if cand.rule == "project_list" else 3) or name.startswith(("和", "与", "及")):
            continue
        out.append(Candidate(cand.start, cand.end, cand.priority, name, cand.rule, cand.attrs))
    return out


def candidates(doc: Document) -> list[tuple[Sentence, Candidate]]:
    """The chosen (non-overlapping) candidates of each sentence, with the rule that found them."""
    gazetteer = _gazetteer()
    out = []
    for sentence in doc.sentences:
        text = sentence.text
        found = [cand for a, b in clauses(text) for cand in _clause_candidates(text, a, b, gazetteer)]
        out += [(sentence, cand) for cand in drop_overlaps(found)]
    return out


@register("projects", produces=(KIND,))
def extract_projects(doc: Document) -> Iterator[Mention]:
    """Project mentions of ``doc``, each with a ``type`` attribute."""
    for sentence, cand in candidates(doc):
        yield mention(doc, sentence, KIND, cand.name, cand.start, cand.end, cand.attrs)
