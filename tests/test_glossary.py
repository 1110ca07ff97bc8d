"""The English -> Chinese glossary and the CC-CEDICT reverse index."""
from __future__ import annotations

import re
import time

import pytest

from retrieval.query.cedict import Cedict, build_reverse_index
from retrieval.query.glossary import Glossary, TermMatch, english_words, lemmatize
from retrieval.text.lexicon import GLOSSARY_PATH, read_glossary_file

TERM_CHARS = re.compile(r"^[\u4e00-\u9fff0-9A-Za-z%Ⅰ-Ⅻ]+$")


# ---------------------------------------------------------------- the curated file


def test_glossary_file_parses_into_hundreds_of_entries():
    rows = read_glossary_file(GLOSSARY_PATH)
    assert len(rows) >= 500
    for english, terms in rows:
        assert english == english.strip() and english.lower() == english, english
        assert terms, english
        for term in terms:
            assert TERM_CHARS.match(term), (english, term)


def test_every_glossary_line_has_exactly_one_tab():
    for line in GLOSSARY_PATH.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert line.count("\t") == 1, line


@pytest.mark.parametrize("english, chinese", [
    ("fines", "罚款"), ("fined", "罚款"), ("administrative penalties", "行政处罚"),
    ("inspections", "检查"), ("hidden hazards", "隐患"), ("rectify", "整改"),
    ("evacuated", "转移"), ("drills", "演练"), ("petitions", "信访"), ("complaints", "举报"),
    ("grid workers", "网格员"), ("firefighters", "消防员"), ("recruit", "招录"),
    ("supplies", "物资"), ("purchase", "采购"), ("insurance", "保险"), ("claims", "理赔"),
    ("enterprises", "企业"), ("production and business units", "生产经营单位"),
    ("law firm", "律师事务所"), ("typhoon", "台风"), ("flood season", "汛期"),
    ("helicopter landing points", "起降点"), ("disaster relief funds", "救灾资金"),
    ("life jackets", "救生衣"), ("rescue personnel", "救援人员"),
    ("special operations certificates", "特种作业人员操作证"), ("training", "培训"),
    ("publicity materials", "宣传资料"), ("law enforcement", "执法"), ("rule of law", "法治"),
    ("work plan", "工作要点"), ("document number", "文号"),
    ("emergency management bureau", "应急管理局"), ("suspend production", "停产整顿"),
    ("experience hall", "体验馆"), ("cases", "案件"), ("reviewed", "审核"),
    ("hazardous chemicals", "危险化学品"), ("earthquake", "地震"), ("forest fire", "森林火灾"),
    ("emergency plans", "应急预案"), ("accident investigation", "事故调查"), ("rate", "率"),
    ("budget", "预算"), ("non-coal mines", "非煤矿山"), ("permits", "许可"),
])
def test_glossary_covers_domain_vocabulary(english, chinese):
    assert chinese in Glossary.load().lookup(english)


def test_glossary_lines_with_the_same_phrase_are_merged():
    g = Glossary.from_rows([("fine", ["罚款"]), ("fines", ["罚金", "罚款"])])
    assert g.lookup("fine") == ("罚款", "罚金")


def test_malformed_glossary_line_is_reported(tmp_path):
    bad = tmp_path / "g.tsv"
    bad.write_text("fine 罚款\n", encoding="utf-8")
    with pytest.raises(ValueError, match="g.tsv:1"):
        Glossary.load(bad)


# ---------------------------------------------------------------- English words


@pytest.mark.parametrize("word, lemma", [
    ("fines", "fine"), ("fined", "fine"), ("recruited", "recruit"), ("companies", "company"),
    ("hazards", "hazard"), ("inspected", "inspect"), ("evacuated", "evacuate"),
    ("purchasing", "purchase"), ("stopped", "stop"), ("cases", "case"), ("losses", "loss"),
    ("business", "business"), ("found", "find"), ("people", "people"), ("training", "training"),
])
def test_lemmatize(word, lemma):
    assert lemmatize(word) == lemma


def test_english_words_drop_possessives_and_numbers():
    assert english_words("Jinhua's 20-day campaign, Dong'an") == ["jinhua", "day", "campaign", "dongan"]


# ---------------------------------------------------------------- translate


def _pairs(matches: list[TermMatch]) -> list[tuple[str, str]]:
    return [(m.english, m.source) for m in matches]


def test_longer_phrases_match_before_the_words_inside_them():
    g = Glossary.load()
    matches = g.translate("What was the hazard rectification rate?")
    assert _pairs(matches) == [("hazard rectification rate", "glossary")]
    matches = g.translate("How many production and business units were inspected?")
    assert [m.english for m in matches] == ["production and business unit", "inspect"]
    assert matches[0].chinese == ("生产经营单位",)


def test_longest_first_is_global_not_left_to_right():
    g = Glossary.from_rows([("emergency rescue", ["应急救援"]),
                            ("rescue personnel", ["救援人员"]),
                            ("emergency rescue personnel", ["应急救援人员"])], use_cedict=False)
    assert _pairs(g.translate("emergency rescue personnel")) == [
        ("emergency rescue personnel", "glossary")]
    g2 = Glossary.from_rows([("a b", ["甲乙"]), ("b c d", ["乙丙丁"])], use_cedict=False)
    assert [m.chinese for m in g2.translate("a b c d")] == [("乙丙丁",)]


def test_fines_translate_to_fakuan():
    terms = [t for m in Glossary.load().translate("how many fines did Jinhua issue") for t in m.chinese]
    assert "罚款" in terms


def test_stopwords_and_question_words_are_not_translated():
    g = Glossary.from_rows([], use_cedict=True)
    assert g.translate("how many of them were there in May 2020?") == []


def test_cedict_reverse_lookup_is_filtered_by_vocabulary():
    g = Glossary.from_rows([])  # no curated phrases: CC-CEDICT only
    found = g.translate("How many were recruited?", vocabulary={"招聘", "招录", "罚款"})
    assert [m.source for m in found] == ["cedict"]
    assert set(found[0].chinese) & {"招聘", "招录"}
    assert g.translate("How many were recruited?", vocabulary=set()) == []


def test_vocabulary_may_be_a_predicate():
    g = Glossary.from_rows([])
    found = g.translate("evacuated", vocabulary=lambda term: term == "疏散")
    assert [m.chinese for m in found] == [("疏散",)]


def test_cedict_terms_are_capped_per_word():
    found = Glossary.from_rows([]).translate("inspect", per_word=2)
    assert len(found) == 1 and len(found[0].chinese) == 2


def test_skip_words_are_not_looked_up():
    g = Glossary.from_rows([])
    assert g.translate("evacuated", vocabulary={"疏散"}, skip={"evacuated"}) == []


# ---------------------------------------------------------------- CC-CEDICT


def test_cedict_parses_the_bundled_file():
    cd = Cedict.load()
    assert len(cd.rows) > 100_000
    entry = cd.lookup("金华")[0]
    assert entry.proper and "Jinhua" in entry.definitions[0]
    assert cd.is_common_word("和平") and not cd.is_common_word("金华")
    assert Cedict.load() is cd  # parsed once per process


def test_reverse_index_prefers_short_definitions():
    heads = [h for h, _ in Cedict.load().reverse("recruit")]
    assert "招聘" in heads
    assert all(rank <= 4 for _, rank in Cedict.load().reverse("evacuate"))


def test_building_the_reverse_index_is_fast():
    rows = Cedict.load().rows
    start = time.perf_counter()
    index, vocab = build_reverse_index(rows)
    elapsed = time.perf_counter() - start
    assert "recruit" in index and "dean" in vocab and "tianjin" not in vocab
    assert elapsed < 5.0, f"reverse index took {elapsed:.2f}s"


def test_reverse_index_is_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(tmp_path))
    base = Cedict.load()
    first = Cedict(base.rows, base.source)
    first.english_vocabulary
    assert list(tmp_path.glob("cedict-reverse-*.marshal"))
    second = Cedict(base.rows, base.source)
    start = time.perf_counter()
    vocab = second.english_vocabulary
    assert time.perf_counter() - start < 1.0
    assert vocab == first.english_vocabulary
    assert second.reverse("recruit") == first.reverse("recruit")
