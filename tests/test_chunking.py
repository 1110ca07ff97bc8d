"""Sentences and section-aware chunks."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from retrieval.ingest.chunking import chunk_document, heading_level, sentence_windows
from retrieval.ingest import load_documents, make_document
from retrieval.records import Chunk, Document, Metadata
from retrieval.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpora" / "government_work_reports.jsonl"
END = "。！？；!?;:"


@lru_cache(maxsize=1)
def seed_docs() -> dict[str, Document]:
    docs, errors = load_documents([SEEDS])
    assert errors == []
    return {d.source: d for d in docs}


@lru_cache(maxsize=1)
def some_national_docs() -> tuple[Document, ...]:
    """Four national reports of different periods (2024, 2025 resolution, 1997, 1955)."""
    assert CORPUS.exists(), f"national corpus missing: {CORPUS}"
    docs = []
    with CORPUS.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if number in (2, 3, 47, 71):
                rec = json.loads(line)
                year = int(rec["year"]) if rec["year"] else None
                docs.append(make_document(rec["content"], f"corpus#{number}", title_hint=rec["title"],
                                          year_hint=year, unwrap=True))
    return tuple(docs)


def all_docs() -> list[Document]:
    return list(seed_docs().values()) + list(some_national_docs())


def make_doc(text: str, title: str = "某局报告") -> Document:
    return Document(doc_id="d", source="t.txt", text=text, meta=Metadata(title=title))


def chunk_with(docs: list[Document], phrase: str, **kw) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, **kw) if phrase in c.text]


# ---------------------------------------------------------------- sentences


def test_split_at_sentence_ends_keeping_punctuation() -> None:
    assert split_sentences("一是加强。二是落实!三是督查?四是考核;五是奖励;六") == [
        "一是加强。", "二是落实!", "三是督查?", "四是考核;", "五是奖励;", "六"]


def test_no_split_inside_book_title_or_quotes() -> None:
    text = "落实《关于加强管理。提高效率的通知》要求。坚持“人民至上。生命至上”原则;完"
    assert split_sentences(text) == [
        "落实《关于加强管理。提高效率的通知》要求。", "坚持“人民至上。生命至上”原则;", "完"]


def test_closing_quote_stays_with_its_sentence() -> None:
    assert split_sentences("他说:“要抓落实。”随后散会。") == ["他说:“要抓落实。”随后散会。"]
    assert split_sentences("(见附件。)下一句。") == ["(见附件。)", "下一句。"]


def test_unmatched_quote_does_not_swallow_the_rest() -> None:
    # Weihai seed: 一网通办”“全程网办”“容缺受理 … the last “ is never closed
    text = "落实“提效审查等要求。行政处罚决定均已公示。下一步工作。"
    assert split_sentences(text) == ["落实“提效审查等要求。", "行政处罚决定均已公示。", "下一步工作。"]


def test_no_empty_pieces_and_lines_are_boundaries() -> None:
    assert split_sentences("。。\n  \n甲。 乙\n丙!!") == ["。。", "甲。", "乙", "丙!!"]
    assert split_sentences("") == []


# ---------------------------------------------------------------- sections on the seeds


def test_jinhua_fine_figure_is_in_one_chunk_under_its_section() -> None:
    jinhua = seed_docs()["004_e939aaac88e3997d.txt"]
    hits = chunk_with([jinhua], "行政处罚703次,罚款1584.66万元")
    assert hits, "gold phrase split across chunks"
    assert all("行政执法" in c.section for c in hits)
    assert hits[0].section == "一、主要工作情况 > (五)规范提升行政执法能力"


@pytest.mark.parametrize("phrase", [
    "特种作业人员操作证21470份", "全年共接到或转办信访件53件", "累计结案417件,向受灾群众支付理赔款417.367万元",
    "对306家企业罚款742万元", "台风“利奇马”", "行政处罚195次,罚款76.026万元", "十应急发〔2021〕6号",
    "安委会、减灾委、防汛抗旱指挥部、森林防灭火指挥部", "四是坚持规范公正文明执法",
    "年内21次安全生产、森林火灾、大型城市综合体等市级演练全部按期完成",
])
def test_gold_phrases_each_fit_in_one_chunk(phrase: str) -> None:
    assert chunk_with(list(seed_docs().values()), phrase)


@pytest.mark.parametrize("source, phrase, section", [
    ("000_7d684337e85e8840.txt", "罚款44.45万元", "一、2021年工作开展情况 > (六)严格规范实施行政执法"),
    ("001_e1a8097ded6aa1af.txt", "救生衣1162件",
     "一、2019年度推进法治政府建设的主要举措和成效 > (四)全面提升防灾救灾减灾能力"),
    ("002_563dbec16d3c29c3.txt", "转移群众3028人",
     "一、2024年法治政府建设主要举措和成效 > (四)强化灾害预警,全面夯实自然灾害防治能力"),
    # the seed lost "一、" before this heading: a bare line before "(一)" still counts
    ("003_0397d3017966e19b.txt", "探索构建“1+4+X”组织体系", "完善应急管理体制机制 > (一)健全应急管理委员会"),
    ("003_0397d3017966e19b.txt", "争取在全市设置10临时起降点",
     "六、推进应急救援能力提档升级 > (一)加强救援队伍建设"),
    # "六)广泛开展应急普法宣传": the seed lost the "("
    ("004_e939aaac88e3997d.txt", "建成应急宣教体验馆50家", "一、主要工作情况 > 六)广泛开展应急普法宣传"),
    ("004_e939aaac88e3997d.txt", "四是坚持规范公正文明执法", "三、2021年度工作思路"),
])
def test_seed_section_paths(source: str, phrase: str, section: str) -> None:
    hits = chunk_with([seed_docs()[source]], phrase)
    assert hits and all(c.section == section for c in hits)


@pytest.mark.parametrize("source", sorted(["000_7d684337e85e8840.txt", "001_e1a8097ded6aa1af.txt",
                                           "002_563dbec16d3c29c3.txt", "004_e939aaac88e3997d.txt"]))
def test_title_is_not_a_chunk_but_names_the_opening(source: str) -> None:
    doc = seed_docs()[source]
    chunks = chunk_document(doc)
    assert all(c.text != doc.meta.title for c in chunks)
    assert chunks[0].section == doc.meta.title
    assert chunks[0].text.startswith(("2019年", "2020年", "2021年", "2024年"))


def test_heading_only_lines_are_not_chunks() -> None:
    jinhua = chunk_document(seed_docs()["004_e939aaac88e3997d.txt"])
    assert not any(c.text in ("一、主要工作情况", "(五)规范提升行政执法能力") for c in jinhua)


# ---------------------------------------------------------------- invariants on real text


@pytest.mark.parametrize("max_chars", [350, 200, 120])
def test_chunk_invariants(max_chars: int) -> None:
    for doc in all_docs():
        chunks = chunk_document(doc, max_chars=max_chars)
        assert [c.ordinal for c in chunks] == list(range(len(chunks)))
        for c in chunks:
            assert c.doc_id == doc.doc_id and c.chunk_id == -1
            assert c.text and c.text in doc.text, "chunk text must be a verbatim copy"
            assert c.sentences == split_sentences(c.text)
            if len(c.text) > max_chars:  # only a single sentence may exceed the limit
                assert len(c.sentences) == 1, (doc.source, c.text[:40])


@pytest.mark.parametrize("max_chars", [350, 120])
def test_every_sentence_survives_intact(max_chars: int) -> None:
    for doc in all_docs():
        chunks = chunk_document(doc, max_chars=max_chars)
        texts = "\n".join(c.text for c in chunks)
        sections = "\n".join(c.section for c in chunks)
        for sentence in split_sentences(doc.text):
            if len(sentence) > 2 * max_chars:
                continue  # the one case that is cut (at commas), checked below
            in_chunk = sentence in texts
            as_heading = sentence.rstrip(END) in sections  # heading-only lines
            assert in_chunk or as_heading or sentence == doc.meta.title, (doc.source, sentence)


# ---------------------------------------------------------------- windows and overlap

LONG = "".join(f"第{i:02d}句写满十个字了。" for i in range(1, 21))  # 20 sentences of 11 chars


def test_long_paragraph_windows_overlap_by_one_sentence() -> None:
    chunks = chunk_document(make_doc("某局报告\n" + LONG), max_chars=50, overlap=1)
    assert len(chunks) > 3
    for before, after in zip(chunks, chunks[1:]):
        assert len(before.text) <= 50
        assert after.sentences[0] == before.sentences[-1]
        assert after.sentences[1] not in before.sentences
    assert chunks[0].sentences[0] == "第01句写满十个字了。"
    assert chunks[-1].sentences[-1] == "第20句写满十个字了。"


@pytest.mark.parametrize("overlap", [0, 2])
def test_overlap_setting(overlap: int) -> None:
    chunks = chunk_document(make_doc("某局报告\n" + LONG), max_chars=60, overlap=overlap)
    for before, after in zip(chunks, chunks[1:]):
        shared = [s for s in after.sentences if s in before.sentences]
        assert len(shared) == overlap
    covered = {s for c in chunks for s in c.sentences}
    assert covered == set(split_sentences(LONG))


def test_windows_always_make_progress() -> None:
    assert sentence_windows([(0, 5), (5, 10), (10, 15), (15, 20)], max_chars=10) == [
        (0, 1), (1, 2), (2, 3)]
    # the overlap sentence is left out when it and the next one do not fit together
    assert sentence_windows([(0, 8), (8, 16), (16, 24)], max_chars=10) == [(0, 0), (1, 1), (2, 2)]


def test_a_long_sentence_is_its_own_chunk() -> None:
    long_sentence = "为加强管理" + ",落实责任" * 15 + "。"  # 81 chars
    text = f"某局报告\n短句一。{long_sentence}短句二。"
    chunks = chunk_document(make_doc(text), max_chars=50)
    assert [c.text for c in chunks] == ["短句一。", long_sentence, "短句二。"]


def test_a_very_long_sentence_is_cut_at_commas() -> None:
    long_sentence = "为加强管理" + ",落实责任" * 40 + "。"  # 206 chars > 2 x 50
    chunks = chunk_document(make_doc("某局报告\n" + long_sentence), max_chars=50)
    assert len(chunks) > 1
    assert all(len(c.text) <= 50 for c in chunks)
    assert "".join(c.text for c in chunks) == long_sentence
    assert all(c.text.endswith((",", "。")) for c in chunks)


# ---------------------------------------------------------------- headings


def test_heading_levels() -> None:
    assert [heading_level(s) for s in ("第一章 总则", "第二节 要求", "一、情况", "(一)领导",
                                       "1.计划", "(1)细则", "一是加强", "2021年,全市",
                                       "1.5万元", "十堰市应急管理局")] == [
        0, 1, 2, 3, 4, 5, None, None, None, None]


def test_section_paths_nest_and_pop() -> None:
    text = "\n".join([
        "某局报告", "第一章 总体要求", "一、主要工作情况", "(一)强化领导",
        "1.完善制度。建立健全制度五项。", "正文甲说明了很多情况,内容足够长,超过四十个字,所以不会被合并到前一个短段落里面去了。",
        "(二)规范执法。全年行政处罚703次。", "二、存在问题", "问题是执法力量不足,需要进一步加强培训和装备保障工作。",
    ])
    got = [(c.section, c.text) for c in chunk_document(make_doc(text))]
    assert got == [
        ("第一章 总体要求 > 一、主要工作情况 > (一)强化领导 > 1.完善制度", "1.完善制度。建立健全制度五项。"),
        ("第一章 总体要求 > 一、主要工作情况 > (一)强化领导 > 1.完善制度",
         "正文甲说明了很多情况,内容足够长,超过四十个字,所以不会被合并到前一个短段落里面去了。"),
        ("第一章 总体要求 > 一、主要工作情况 > (二)规范执法", "(二)规范执法。全年行政处罚703次。"),
        ("第一章 总体要求 > 二、存在问题", "问题是执法力量不足,需要进一步加强培训和装备保障工作。"),
    ]


def test_heading_without_body_is_kept_as_text() -> None:
    text = "某局报告\n一、工作安排\n(一)推进风险普查按照部署按时完成阶段性任务\n(二)强化防控。做好准备工作。"
    chunks = chunk_document(make_doc(text))
    assert [c.text for c in chunks] == ["(一)推进风险普查按照部署按时完成阶段性任务", "(二)强化防控。做好准备工作。"]
    assert chunks[0].section == "一、工作安排 > (一)推进风险普查按照部署按时完成阶段性任务"


def test_short_paragraphs_of_one_section_are_merged() -> None:
    text = "某局报告\n十应急发〔2021〕6号\n机关各室、直属各单位:\n一、情况\n甲。\n乙。"
    chunks = chunk_document(make_doc(text))
    assert [(c.section, c.text) for c in chunks] == [
        ("某局报告", "十应急发〔2021〕6号\n机关各室、直属各单位:"),
        ("一、情况", "甲。\n乙。"),
    ]


def test_empty_document_has_no_chunks() -> None:
    assert chunk_document(make_doc("")) == []
    assert chunk_document(make_doc("某局报告")) == []


def test_a_table_is_cited_under_its_name_inside_its_section() -> None:
    text = ("某县应急管理局2023年政府信息公开工作年度报告\n二、主动公开政府信息情况\n表1 执法情况\n"
            "行政处罚 | 本年处理决定数量 703\n行政强制 | 本年处理决定数量 5\n三、存在的问题\n信息更新不够及时。")
    doc = Document("d", "a.xlsx", text, Metadata(title="某县应急管理局2023年政府信息公开工作年度报告"))
    sections = {c.text: c.section for c in chunk_document(doc)}
    assert sections == {"行政处罚 | 本年处理决定数量 703\n行政强制 | 本年处理决定数量 5": "二、主动公开政府信息情况 > 表1 执法情况",
                        "信息更新不够及时。": "三、存在的问题"}


def test_a_table_row_opening_with_a_number_is_no_heading() -> None:
    text = "某县报告\n三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 | 自然人 17 | 总计 19"
    doc = Document("d", "a.html", text, Metadata(title="某县报告"))
    [chunk] = chunk_document(doc)
    assert chunk.section == "三、收到和处理政府信息公开申请情况" and chunk.text.startswith("一、本年新收")


def test_chunks_of_a_paged_document_carry_the_page_they_start_on() -> None:
    text = "某县报告\n一、情况\n第一页的段落。\n第二页的段落,很长。" + "内容。" * 200
    start2 = text.index("第二页")
    doc = Document("d", "a.pdf", text, Metadata(title="某县报告"), pages=[(0, 1), (start2, 2)])
    pages = [c.page for c in chunk_document(doc, max_chars=100)]
    assert pages[0] == 1 and set(pages[1:]) == {2} and len(pages) > 3
