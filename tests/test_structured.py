"""Structured answers (issue 11, class 6): lists, summaries and yes/no.

1. the mechanism on made-up passages: enumerations, sections read back from
   chunks, summary headings and key figures, negation, plans, intent cues;
2. the real engine over the seed index: a list, a summary, a yes, a no, a
   not-stated, a planned yes, an out-of-scope refusal;
3. the front-ends: ``govqa ask`` (text and --json) and the Telegram bot.
"""
from __future__ import annotations

import json

import pytest

from retrieval.answer.extract import Concept, Extraction
from retrieval.answer.items import found_in, is_planned, one_line, topic_only
from retrieval.answer.lists import candidate_sections, section_items
from retrieval.answer.sections import Outline
from retrieval.answer.summary import key_facts, summary_item, summary_sections
from retrieval.answer.yesno import decide, negated
from retrieval.index.facts import Fact
from retrieval.ingest.chunking import chunk_document
from retrieval.query.parse import parse_question
from retrieval.records import Answer, AnswerItem, Chunk, Document, Figure, Hit, Metadata
from retrieval.text.enumeration import find_markers, short_item, split_items

# ==========================================================================
# 1. The mechanism on made-up passages
# ==========================================================================


def texts(text: str) -> list[str]:
    return [short_item(i.text) for i in split_items(text)]


class TestEnumerations:
    def test_inline_shi_items(self):
        text = "(二)强化执法。主要做法:一是开展专项检查,检查企业120家。二是严格处罚;三是公开曝光。"
        assert texts(text) == ["开展专项检查,检查企业120家", "严格处罚", "公开曝光"]

    def test_numbered_lines_of_each_family(self):
        assert texts("要点如下:\n(一)加强领导\n(二)完善制度\n(三)狠抓落实") == ["加强领导", "完善制度", "狠抓落实"]
        assert texts("1.组织培训12次;\n2.开展演练;\n3.修订预案。") == ["组织培训12次", "开展演练", "修订预案"]
        assert texts("①排查隐患②整改销号③督查问效") == ["排查隐患", "整改销号", "督查问效"]
        assert texts("第一,压实责任。第二,强化监管。") == ["压实责任", "强化监管"]
        assert texts("(1)宣传月活动;(2)知识竞赛。") == ["宣传月活动", "知识竞赛"]

    def test_decimals_dates_and_single_markers_are_no_items(self):
        assert split_items("罚款1.5万元,2.3万人参加,2021.5.14印发。") == []
        assert split_items("(三)加大执法力度。全年检查企业300家。") == []  # one heading, no run
        assert not [m for m in find_markers("统一、规范、高效") if m.family == "一、"]

    def test_outermost_run_wins_over_a_nested_one(self):
        text = "一是完善制度:(1)决策制度;(2)审核制度;(3)公示制度。二是规范执法。"
        assert texts(text) == ["完善制度", "规范执法"]

    def test_a_paragraph_that_lost_its_number_is_an_item_only_when_the_numbering_skips(self):
        lost = "2021年工作思路如下:\n一是加强领导。\n是提升能力。\n完善制度。\n四是规范执法。"
        assert texts(lost) == ["加强领导", "提升能力", "完善制度", "规范执法"]
        continued = "一是加强领导。\n全面落实责任。\n二是规范执法。"  # a second paragraph of item one
        assert texts(continued) == ["加强领导", "规范执法"]

    def test_short_item_keeps_a_short_sentence_else_the_first_clause_as_written(self):
        assert short_item("一是强化体系建设,压实属地部门责任。各乡镇递交责任书。") == "强化体系建设,压实属地部门责任"
        long = "二是深入推进治本攻坚三年行动,开展企业负责人专题安全教育培训49次、2097人,重大事故隐患判定标准宣贯15场。"
        assert short_item(long) == "深入推进治本攻坚三年行动"
        opening = "2021年,根据中央全面依法治国工作会议精神和法治浙江建设规划要求,紧密结合应急管理系统法治建设实际。"
        assert short_item(opening) == "2021年,根据中央全面依法治国工作会议精神和法治浙江建设规划要求"  # "2021年" alone says nothing
        assert len(short_item("甲" * 100)) == 61 and short_item("甲" * 100).endswith("…")


REPORT = """某市应急管理局2020年法治政府建设情况报告
2020年,我局扎实推进法治政府建设。现将有关情况报告如下:
一、主要工作
(一)规范执法
一是科学制定执法计划,全年检查企业2300家。二是推进双随机抽查,开展抽查170次。
三是组织执法培训,培训执法人员300人次。
(二)普法宣传
组织宣传活动6次,发放资料5000余份。
二、存在的不足
执法力量不足。
三、2021年工作打算
一是加强领导。二是完善制度。
某市应急管理局
2021年1月20日"""


@pytest.fixture
def outline() -> Outline:
    meta = Metadata(title="某市应急管理局2020年法治政府建设情况报告", region="某市", year=2020,
                    doc_type="法治政府建设报告", issuer="某市应急管理局")
    doc = Document("d1", "report.txt", REPORT, meta)
    chunks = chunk_document(doc, max_chars=40)  # small chunks: a section spans several
    for i, c in enumerate(chunks):
        c.chunk_id = i
    return Outline.of_parts("d1", "report.txt", meta, REPORT, chunks)


class TestSections:
    def test_outline_from_chunks(self, outline):
        assert [s.label for s in outline.top()] == ["一、主要工作", "二、存在的不足", "三、2021年工作打算"]
        work = outline.sections["一、主要工作"]
        assert [s.label for s in outline.children(work)] == ["(一)规范执法", "(二)普法宣传"]
        assert "某市应急管理局2020年法治政府建设情况报告" not in outline.sections  # the preamble

    def test_items_of_a_section_spanning_several_chunks_cite_their_own_chunk(self, outline):
        section = outline.sections["一、主要工作 > (一)规范执法"]
        assert len(section.chunks) > 1
        items = section_items(outline, section)
        assert [i.text for i in items] == ["科学制定执法计划,全年检查企业2300家", "推进双随机抽查,开展抽查170次",
                                           "组织执法培训,培训执法人员300人次"]
        assert [f.text for f in items[1].figures] == ["170次"]
        for item in items:
            assert item.text.split(",")[0] in item.hit.chunk.text  # the passage it stands in
            assert item.hit.meta.region == "某市"

    def test_a_parent_section_lists_its_sub_headings(self, outline):
        items = section_items(outline, outline.sections["一、主要工作"])
        assert [i.text for i in items] == ["规范执法", "普法宣传"]
        assert [f.text for f in items[1].figures] == ["6次", "5000余份"]

    def test_the_section_whose_heading_path_holds_the_topic_wins(self, outline):
        def hit_in(path: str) -> Hit:
            chunk = outline.sections[path].chunks[0]
            return Hit(chunk, outline.meta, outline.source, 0.5)

        hits = [hit_in("一、主要工作 > (二)普法宣传"), hit_in("一、主要工作 > (一)规范执法")]
        query = parse_question("某市执法方面有哪些措施?")
        best = candidate_sections(query, hits, [Concept("执法", ["执法"], 2.0)])[0]
        assert best.path == "一、主要工作 > (一)规范执法"
        vague = candidate_sections(query, hits, [])[0]  # nothing matches: the wider section
        assert vague.path == "一、主要工作"


class TestSummaries:
    def test_few_top_headings_open_the_biggest(self, outline):
        labels = [s.label for s in summary_sections(outline)]
        assert labels == ["(一)规范执法", "(二)普法宣传", "二、存在的不足", "三、2021年工作打算"]

    def test_key_figures_prefer_common_measures_and_keep_the_words_that_state_them(self, outline):
        section = outline.sections["一、主要工作 > (一)规范执法"]
        sentence = "一是科学制定执法计划,全年检查企业2300家。"
        facts = [Fact("d1", "某市", 2020, section.path, sentence, "2300家", 2300, "家", 2300, "家", "检查企业",
                      measure="检查单位数", chunk_id=section.chunks[0].chunk_id, position=1),
                 Fact("d1", "某市", 2020, section.path, "二是推进双随机抽查,开展抽查170次。", "170次", 170, "次", 170,
                      "次", "抽查", position=2)]
        assert [f.text for f in key_facts(facts, "一、主要工作", {"检查单位数": 9})] == ["2300家", "170次"]
        item = summary_item(outline, section, facts[:1], {"检查单位数": 9})
        assert item.heading == "(一)规范执法" and item.text == "全年检查企业2300家"
        assert [f.text for f in item.figures] == ["2300家"]
        plain = summary_item(outline, outline.sections["二、存在的不足"], [], {})
        assert plain.text == "执法力量不足" and plain.figures == []

    def test_one_line_is_cut_to_the_answer_length(self):
        assert one_line([AnswerItem("x" * 150), AnswerItem("y" * 150)]).endswith("…")

    def test_a_one_character_rendering_counts_only_as_a_word(self):
        law = Concept("law", ["法律", "法"])
        assert found_in(law, "依法行政") == 0 and found_in(law, "法律法规") == 1
        assert found_in(Concept("nuclear", ["核"]), "核心原则") == 0


def evidence(text: str, section: str = "一、主要工作 > (一)执法", meta: Metadata | None = None,
             coverage: float = 1.0) -> Extraction:
    meta = meta or Metadata(title="某局报告", year=2020, doc_type="法治政府建设报告")
    hit = Hit(Chunk("d", 0, section, text, [text]), meta, "a.txt", 1.0)
    return Extraction(hit, 0, text, text, [], coverage, 1.0, text)


class TestYesNo:
    def test_negation_before_what_is_asked(self):
        college = [Concept("学院", ["应急管理学院"])]
        assert not negated("成立金华市应急管理学院,与职业技术学院合作办学。", college)
        assert negated("全年未发生较大以上生产安全事故。", [Concept("事故", ["事故"])])
        assert negated("实现“零伤亡”。", [Concept("伤亡", ["伤亡"])])
        assert negated("没有发生重特大事故", [Concept("事故", ["重特大事故"])])
        assert not negated("不断完善应急管理学院建设,未来继续推进", college)  # 不断, 未来: no negation
        assert not negated("发生森林火灾3起,未发生造成人员伤亡的森林火灾。", [Concept("火灾", ["森林火灾"])])
        assert not negated("行政复议1起,无其他行政复议案件。", [Concept("复议", ["行政复议"])])

    def test_verdicts(self):
        fire = [Concept("森林火灾", ["森林火灾"], 3.0)]
        assert decide(evidence("全年发生森林火灾2起,过火面积3公顷。"), fire) == "yes"
        assert decide(evidence("全年未发生森林火灾。"), fire) == "no"
        drill = evidence("组织森林火灾应急演练5次。")
        assert decide(drill, [Concept("发生", ["发生"], 2.0), *fire]) == "not stated"  # a drill is no fire
        assert decide(evidence("完善应急预案。", coverage=0.2), fire) == "not stated"

    def test_a_plan_is_marked_planned_not_done(self):
        plan = Metadata(title="某局2021年工作要点", year=2021, doc_type="工作要点")
        depot = [Concept("储备库", ["储备库"], 3.0)]
        assert decide(evidence("推动市级应急物资储备库项目建设。", "六、能力建设", plan), depot) == "yes (planned)"
        later = evidence("扩建物资储备库。", "三、下步工作打算 > (二)提高能力")
        assert decide(later, depot) == "yes (planned)"
        assert decide(evidence("建成物资储备库2个。"), depot) == "yes"

    def test_plan_sections(self):
        report = Metadata(title="某局2019年报告", year=2019, doc_type="法治政府建设报告")
        assert is_planned(report, "三、2020年推进法治政府建设的主要安排 > (一)加快建设")
        assert is_planned(report, "四、下一年度推进法治政府建设工作计划")
        assert not is_planned(report, "一、主要举措 > (三)科学编制执法计划")
        assert not is_planned(report, "某局2019年报告")


class TestIntent:
    @pytest.mark.parametrize("question, kind", [
        ("威海市2021年安全生产方面采取了哪些措施?", "list"),
        ("罗列一下金华市安全生产执法的主要举措", "list"),
        ("明溪县防汛备汛的具体措施", "list"),
        ("What measures did Weihai take on flood control in 2021?", "list"),
        ("list the training programmes Jinghai ran in 2019", "list"),
        ("概括一下金华2020年的报告", "summary"),
        ("静海区2019年报告说了些什么", "summary"),
        ("outline Shiyan's work plan for 2021", "summary"),
        ("What does Weihai's 2021 report say?", "summary"),
        ("金华是否成立了应急管理学院?", "yesno"),
        ("威海2021年有没有开展森林防火演练", "yesno"),
        ("明溪县2024年发生过较大事故吗", "yesno"),
        ("Has Weihai bought disaster insurance for residents?", "yesno"),
        ("Were there any casualties in Mingxi's 2024 floods?", "yesno"),
    ])
    def test_structured_questions(self, question, kind):
        assert parse_question(question).asks == kind

    @pytest.mark.parametrize("question", [
        "金华2020年罚款多少?", "How many fines did Jinhua issue in 2020?", "列出静海区2019年的所有数据",
        "List Jinhua's figures for 2020", "十堰市应急管理局2021年工作要点的文号是什么",
        "What will Weihai focus on next year?", "哪些企业被列入黑名单?",
    ])
    def test_other_questions_keep_their_kind(self, question):
        assert parse_question(question).asks not in ("list", "summary", "yesno")

    def test_shape_words_are_no_topic(self):
        concepts = [Concept("措施", ["措施"]), Concept("list", ["名单"]), Concept("普法", ["普法"]),
                    Concept("major", ["重大"]), Concept("是否", ["是否"])]
        assert [c.name for c in topic_only(concepts)] == ["普法", "major"]


# ==========================================================================
# 2. The real engine over the seed index
# ==========================================================================


def item_texts(answer: Answer) -> str:
    return " ".join(f"{i.heading} {i.text}" for i in answer.items)


class TestEngine:
    def test_list_of_measures_with_figures_each_cited(self, seed_engine):
        a = seed_engine.ask("明溪县2024年健全应急体系方面有哪些做法?")
        assert a.answered and a.kind == "list"
        for gold in ("基层执法能力逐步提升", "应急物资储备日益完善", "应急救援队伍更加强大"):
            assert gold in item_texts(a)
        assert all(i.hit is not None and "健全应急体系" in i.hit.chunk.section for i in a.items)
        assert any(f.text == "43场次" for i in a.items for f in i.figures)  # figures as written
        assert "健全应急体系" in a.message  # the section's citation

    def test_list_across_lost_numbers_in_english(self, seed_engine):
        a = seed_engine.ask("List Jinhua's ideas for rule-of-law work in 2021")
        assert a.kind == "list" and len(a.items) == 6
        assert "提升法制机构履职能力" in item_texts(a) and "完善依法行政制度体系" in item_texts(a)
        assert a.english.startswith("6 items under")

    def test_summary_of_a_report_is_its_headings_with_key_figures(self, seed_engine):
        a = seed_engine.ask("Summarize Jinghai's 2019 rule-of-law report")
        assert a.answered and a.kind == "summary"
        for heading in ("依法履行政府职责", "完善依法行政各项制度", "严格规范公正文明执法", "依法化解矛盾纠纷"):
            assert heading in item_texts(a)
        enforcement = next(i for i in a.items if "严格规范公正文明执法" in i.heading)
        assert enforcement.figures and all(f.text in enforcement.text for f in enforcement.figures)
        assert "严格规范公正文明执法" in enforcement.hit.chunk.section
        assert a.passages[0].meta.region == "静海区"

    def test_yes_with_its_evidence(self, seed_engine):
        a = seed_engine.ask("Did Jinhua set up an emergency management college?")
        assert a.answered and a.kind == "yesno" and a.verdict == "yes"
        assert "成立金华市应急管理学院" in a.answer and "金华市" in a.message

    def test_no_from_a_negation(self, seed_engine):
        a = seed_engine.ask("静海区2019年是否制定过与上位法相抵触的规范性文件?")
        assert a.verdict == "no" and "我局未制定" in a.answer

    def test_zero_casualties_answers_no(self, seed_engine):
        a = seed_engine.ask("明溪县2024年防汛期间有人员伤亡吗?")
        assert a.verdict == "no" and "零伤亡" in a.answer

    def test_not_stated_is_an_answer_citing_the_nearest_passage(self, seed_engine):
        a = seed_engine.ask("金华市2020年有没有发生森林火灾?")
        assert a.answered and a.verdict == "not stated"
        assert a.passages and a.passages[0].meta.region == "金华市" and "do not say" in a.message

    def test_a_plan_is_yes_planned(self, seed_engine):
        a = seed_engine.ask("十堰2021年要建市应急指挥中心吗?")
        assert a.verdict == "yes (planned)" and "应急指挥中心" in a.answer

    def test_a_place_not_indexed_stays_a_refusal(self, seed_engine):
        a = seed_engine.ask("Did Hangzhou set up an emergency management college in 2020?")
        assert not a.answered and a.verdict == "" and "杭州" in a.message

    def test_a_list_of_figures_stays_the_comparison_listing(self, seed_engine):
        a = seed_engine.ask("List Jinhua's figures for 2020")
        assert a.answered and a.kind == "" and "1584.66" in a.answer + a.message

    def test_json_carries_kind_items_and_verdict(self, seed_engine):
        d = seed_engine.ask("威海2021年强化突发事件应对处置和救援能力的主要措施有哪些?").to_dict()
        assert d["kind"] == "list" and len(d["items"]) == 3 and d["verdict"] == ""
        assert {"text", "heading", "figures", "doc", "section"} <= set(d["items"][0])
        assert d["items"][0]["doc"] == "000_7d684337e85e8840.txt"
        json.dumps(d, ensure_ascii=False)


# ==========================================================================
# 3. The front-ends: govqa ask (text and --json), Telegram
# ==========================================================================


def run_cli(capsys, *argv) -> str:
    from bot.cli import main

    assert main([str(a) for a in argv]) in (0, None)
    return capsys.readouterr().out


class TestCli:
    def test_list_is_numbered_with_figures_and_citations(self, seed_index_dir, capsys):
        out = run_cli(capsys, "ask", "--index", seed_index_dir, "威海市应急局2021年在法治宣传教育方面主要采取了哪些措施?")
        assert " 1. 领导带头学法" in out and " 3. 强化社会普法" in out
        assert "50000余份" in out and "[威海市 2021 | 一、2021年工作开展情况 > (二)广泛开展法治宣传教育]" in out
        assert "Source: 威海市应急管理局关于2021年度法治政府建设情况的报告" in out

    def test_yes_no_says_the_verdict_first(self, seed_index_dir, capsys):
        out = run_cli(capsys, "ask", "--index", seed_index_dir, "十堰市应急局2021年要不要制定市场主体轻微违法行为免处罚清单?")
        assert out.splitlines()[0] == "Yes, planned - not yet done (计划中)"
        assert "免处罚清单" in out

    def test_json(self, seed_index_dir, capsys):
        out = run_cli(capsys, "ask", "--index", seed_index_dir, "--json", "明溪县2024年防汛期间有人员伤亡吗?")
        d = json.loads(out)
        assert d["kind"] == "yesno" and d["verdict"] == "no" and "零伤亡" in d["answer"]


class TestTelegram:
    def test_items_are_escaped_numbered_and_cited(self):
        from bot.telegram.format import format_answer

        meta = Metadata(title="某局<报告>", region="某市", year=2020, issuer="某局")
        hit = Hit(Chunk("d", 0, "一、工作 > (一)执法&检查", "一是<检查>。"), meta, "a.txt", 1.0)
        items = [AnswerItem("<检查>企业", [Figure(5, "家", "企业", "5家")], hit), AnswerItem("处罚", [], hit)]
        a = Answer("q", True, answer="<检查>企业；处罚", passages=[hit], kind="list", items=items,
                   english="2 items under (一)执法&检查 (某市 2020).")
        text = format_answer(a, "en")
        assert "1. &lt;检查&gt;企业 » <b>5家</b>" in text and "2. 处罚" in text
        assert text.count("§ 某市 2020 · 一、工作 &gt; (一)执法&amp;检查") == 1  # once for the run
        assert "<i>2 items under" in text and "📄 某局&lt;报告&gt;" in text
        verdict = format_answer(Answer("q", True, answer="未发生。", passages=[hit], kind="yesno", verdict="no"), "zh")
        assert verdict.startswith("<b>否。</b>")

    def test_conversation(self, seed_engine):
        from tests.test_telegram_bot import converse, running_bot

        with running_bot(seed_engine) as api:
            listing = converse(api, 1, "What measures did Weihai take in 2021 to strengthen risk prevention and emergency support? list them")
            verdict = converse(api, 2, "金华是否成立了应急管理学院?", lang="zh")
            summary = converse(api, 3, "Give me the gist of Shiyan's 2021 work plan")
        assert "1. 开展自然灾害综合风险普查" in listing.text and "<b>212.2万元</b>" in listing.text
        assert "§ 威海市 2021" in listing.text
        assert verdict.text.startswith("<b>是。</b>") and "成立金华市应急管理学院" in verdict.text
        assert "完善应急管理体制机制" in summary.text and "八、加强应急管理队伍自身建设" in summary.text
        assert [b["text"] for b in listing.buttons()][-1] == "Source"
