"""Reading files: encodings, HTML, page furniture, .jsonl corpora, bad inputs, ids."""
from __future__ import annotations

import hashlib
import json
import random
from functools import lru_cache
from pathlib import Path

import pytest

from retrieval.ingest import (IngestError, clean_text, document_id, html_to_text, is_furniture,
                              load_documents, read_text)
from retrieval.records import Document

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPUS = ROOT.parent / "shared" / "corpora" / "government_work_reports.jsonl"

REPORT = ("金华市应急管理局关于2020年度法治政府建设工作情况的报告\n"
          "发布日期: 2021-01-25 17:08\n"
          "一、主要工作情况\n"
          "全市共检查生产经营单位27315家,行政处罚703次,罚款1584.66万元。\n")


@lru_cache(maxsize=1)
def seed_docs() -> tuple[Document, ...]:
    docs, errors = load_documents([SEEDS])
    assert errors == []
    return tuple(docs)


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_read_text_decodes(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.encode(encoding))
    assert read_text(path) == REPORT  # no BOM left, same characters


def test_gb18030_bytes_are_not_valid_utf8() -> None:
    # makes sure the GB18030 case above really exercises the fallback
    with pytest.raises(UnicodeDecodeError):
        REPORT.encode("gb18030").decode("utf-8")


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(REPORT, encoding="utf-8")
    docs, errors = load_documents([path])
    assert errors == [] and docs[0].meta.region == "金华市"


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><title>金华市应急管理局 - 门户网站</title>
<style>p { color: red }</style><script>var visits = 1;</script></head>
<body>
<header><a href="/">首页</a> 政务公开</header>
<nav><ul><li>首页</li><li>机构概况</li></ul></nav>
<div class="content">
  <h1>金华市应急管理局关于2020年度法治政府建设工作情况的报告</h1>
  <p>一、主要工作情况</p>
  <p>全市共检查生产经营单位27315家,<b>行政处罚703次</b>,罚款1584.66万元。<br>
  责令停产整顿生产经营单位19家&nbsp;&amp;&nbsp;约谈201人次。</p>
  <script>document.write("广告")</script>
</div>
<footer>版权所有 联系我们</footer>
</body></html>"""


def test_html_main_text_only(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    lines = read_text(path).split("\n")
    assert lines[0] == "金华市应急管理局关于2020年度法治政府建设工作情况的报告"
    assert "一、主要工作情况" in lines
    # inline tags do not break a paragraph, <br> does
    assert "全市共检查生产经营单位27315家,行政处罚703次,罚款1584.66万元。" in lines
    text = "\n".join(lines)
    for dropped in ("visits", "color", "机构概况", "版权所有", "广告", "门户网站", "政务公开"):
        assert dropped not in text
    assert "19家 & 约谈201人次" in text.replace("\xa0", " ")


def test_html_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(PAGE.encode("gb18030"))
    docs, errors = load_documents([path])
    assert errors == []
    assert "行政处罚703次" in docs[0].text
    assert docs[0].meta.issuer == "金华市应急管理局"


def test_html_to_text_tolerates_broken_markup() -> None:
    assert html_to_text("<p>一、情况<p>罚款742万元<div><nav>菜单") == "一、情况\n罚款742万元"


# ---------------------------------------------------------------- page furniture

FURNITURE_WORDS = ("打印本页", "关闭窗口", "访问次数", "扫一扫", "当前位置", "无障碍", "相关链接",
                   "字号", "发布日期", "发布时间", "撰写时间", ">>", "| |", "星期")


@pytest.mark.parametrize("index", range(5))
def test_seed_furniture_is_gone(index: int) -> None:
    doc = seed_docs()[index]
    for line in doc.text.split("\n"):
        assert line == line.strip() and line, f"{doc.source}: blank or indented line {line!r}"
        for word in FURNITURE_WORDS:
            assert word not in line, f"{doc.source}: {word} left in {line!r}"
    assert doc.text.split("\n")[0] == doc.meta.title  # title line kept, first
    assert not doc.text.endswith("附件:")


def test_metadata_is_read_before_header_lines_are_dropped() -> None:
    weihai = seed_docs()[0]
    assert "2022-01-14" not in weihai.text
    assert weihai.meta.publish_date == "2022-01-14"


def test_jinghai_broken_title_copy_and_site_header_are_dropped() -> None:
    jinghai = seed_docs()[1]
    lines = jinghai.text.split("\n")
    assert lines.count("天津市静海区应急管理局2019年法治政府建设情况报告") == 1
    assert "法治政府建设情况报告" not in lines and "天津市静海区应急管理局2019" not in lines
    assert not any("2019年12月3日" in line for line in lines)
    assert lines[-2:] == ["天津市静海区应急管理局", "2020年330"]  # signature kept


@pytest.mark.parametrize("phrase", [
    "行政处罚703次,罚款1584.66万元", "特种作业人员操作证21470份", "四是坚持规范公正文明执法",
    "累计结案417件,向受灾群众支付理赔款417.367万元", "对306家企业罚款742万元", "Ⅱ级网格432个",
    "台风“利奇马”", "行政处罚195次,罚款76.026万元", "整改率99.76%", "十应急发〔2021〕6号",
    "安委会、减灾委、防汛抗旱指挥部、森林防灭火指挥部", "4月底完成各项汛前准备",
])
def test_cleaning_keeps_report_content(phrase: str) -> None:
    assert any(phrase in doc.text for doc in seed_docs())


@pytest.mark.parametrize("line", [
    "当前位置: 首页 > 公示公告", "首页 > 政务公开", ">> 政务公开 >> 通知公告 >> 通知公告",
    "打印本页 关闭窗口", "【打印】【关闭】", "扫一扫在手机上查看当前页面", "字号:[ ]", "字号:大 中 小",
    "无障碍 简体| 繁体", "相关链接:", "| | | |", "天津市静海区人民政府 2019年12月3日星期二",
    "发布日期: 2021-01-25 17:08 来源: 市应急管理局(市人防办) 访问次数:",
])
def test_furniture_lines(line: str) -> None:
    assert is_furniture(line) or clean_text(f"某局报告\n{line}\n一、成效") == "某局报告\n一、成效"


@pytest.mark.parametrize("line", [
    "一、主要工作情况", "关闭不具备安全生产条件的非煤矿山。", "2021年,全市共检查生产经营单位27315家。",
    "附件:1.检查计划", "首页设计获得好评。",
])
def test_report_lines_are_not_furniture(line: str) -> None:
    assert clean_text(f"某局报告\n{line}") == f"某局报告\n{line}"


def test_clean_text_layout() -> None:
    raw = "某局报告\r\n\r\n\r\n\u3000\u3000一、成效\n\n  罚款１５８４．６６万元，约谈２０１人次。  \n附件:\n"
    assert clean_text(raw) == "某局报告\n一、成效\n罚款1584.66万元,约谈201人次。"


def test_shiyan_label_lines_with_values_below_are_dropped() -> None:
    shiyan = seed_docs()[3]
    lines = shiyan.text.split("\n")
    assert lines[:2] == ["关于印发《十堰市应急管理局2021年工作要点》的通知", "十应急发〔2021〕6号"]
    assert "办公室" not in lines and "来源" not in lines


# ---------------------------------------------------------------- jsonl


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_with_one_broken_line(tmp_path: Path) -> None:
    good = {"title": "2024年中华人民共和国国务院政府工作报告", "year": "2024",
            "url": "https://example.org/2024", "content": "各位代表:\n\n一、2023年工作回顾\n\n过去一年,经济回升向好。"}
    other = dict(good, title="2023年中华人民共和国国务院政府工作报告", year=2023,
                 content="各位代表:\n\n现在,我代表国务院报告工作。")
    path = write_jsonl(tmp_path / "corpus.jsonl",
                       [json.dumps(good, ensure_ascii=False), '{"title": "broken", "content": "no end',
                        json.dumps(other, ensure_ascii=False)])
    seen: list[IngestError] = []
    docs, errors = load_documents([path], on_error=seen.append)
    assert [d.source for d in docs] == ["corpus.jsonl#1", "corpus.jsonl#3"]
    assert len(errors) == 1 and seen == errors
    assert errors[0].line == 2
    assert "corpus.jsonl" in str(errors[0]) and "line 2" in str(errors[0])
    first = docs[0]
    assert first.meta.title == "2024年中华人民共和国国务院政府工作报告"
    assert (first.meta.year, first.meta.region, first.meta.level, first.meta.issuer) == (
        2024, "全国", "国家", "国务院")
    assert first.url == "https://example.org/2024"
    assert docs[1].meta.year == 2023


@pytest.mark.parametrize("line, problem", [
    ('["a list"]', "not a JSON object"),
    ('{"title": "x"}', "content"),
    ('{"title": "x", "content": "   "}', "content"),
])
def test_jsonl_records_without_text(tmp_path: Path, line: str, problem: str) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [line])
    docs, errors = load_documents([path])
    assert docs == [] and len(errors) == 1
    assert problem in str(errors[0]) and "line 1" in str(errors[0])


def test_national_corpus_ingests() -> None:
    assert CORPUS.exists(), f"national corpus missing: {CORPUS}"
    docs, errors = load_documents([CORPUS])
    assert errors == []
    assert len(docs) == 72
    assert len({d.doc_id for d in docs}) == 72
    for doc in docs:
        assert doc.source.startswith("government_work_reports.jsonl#")
        assert "公有领域" not in doc.text and "Public domain" not in doc.text  # licence footer
        assert "\n\n" not in doc.text
    report_2024 = next(d for d in docs if d.source.endswith("#3"))
    assert "国内生产总值超过126万亿元,增长5.2%" in report_2024.text
    # wiki link markup split sentences over lines; they are joined back
    resolution = next(d for d in docs if d.source.endswith("#2"))
    assert "国务院总理李强所作的政府工作报告。会议充分肯定" in resolution.text


# ---------------------------------------------------------------- bad inputs


def bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, word expected in the error message)."""
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_text(" \n\t\u3000\n", encoding="utf-8")
    rng = random.Random(7)
    (tmp / "junk.txt").write_bytes(bytes(rng.randrange(256) for _ in range(800)))
    (tmp / "controls.txt").write_bytes(bytes(rng.randrange(1, 32) for _ in range(800)))
    (tmp / "huge.txt").write_text("罚款742万元。" * 200, encoding="utf-8")
    (tmp / "report.pptx").write_bytes(b"PK\x03\x04 ...")
    return {
        "empty": (tmp / "empty.txt", "empty"),
        "whitespace": (tmp / "blank.txt", "whitespace"),
        "binary": (tmp / "junk.txt", "binary"),
        "controls": (tmp / "controls.txt", "binary"),
        "too large": (tmp / "huge.txt", "too large"),
        "missing": (tmp / "nowhere.txt", "not found"),
        "unsupported": (tmp / "report.pptx", "unsupported file type"),
    }


@pytest.mark.parametrize("case", ["empty", "whitespace", "binary", "controls", "too large",
                                  "missing", "unsupported"])
def test_each_bad_input_gives_one_clear_error(tmp_path: Path, case: str) -> None:
    path, word = bad_inputs(tmp_path)[case]
    docs, errors = load_documents([path], max_bytes=1000)
    assert docs == []
    assert len(errors) == 1
    message = str(errors[0])
    assert word in message
    assert path.name in message and "\n" not in message
    assert isinstance(errors[0], Exception) and errors[0].path == path


def test_read_text_raises_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not found"):
        read_text(tmp_path / "nowhere.txt")
    folder = tmp_path / "d.txt"
    folder.mkdir()
    with pytest.raises(IngestError, match="folder"):
        read_text(folder)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text(REPORT, encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)  # chmod does not stop root
    docs, errors = load_documents([path])
    assert docs == [] and len(errors) == 1
    assert "permission denied" in str(errors[0]) and "locked.txt" in str(errors[0])


def test_bad_files_do_not_stop_a_folder(tmp_path: Path) -> None:
    bad_inputs(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "b.txt").write_text(REPORT, encoding="utf-8")
    docs, errors = load_documents([tmp_path], max_bytes=1000)
    assert [d.source for d in docs] == ["sub/a.txt"]
    assert sorted(e.path.name for e in errors) == [
        "blank.txt", "controls.txt", "empty.txt", "huge.txt", "junk.txt", "report.pptx"]


def test_folder_walk_is_sorted_and_recursive(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a/1.txt", "c.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(REPORT.replace("27315", name[0]), encoding="utf-8")
    docs, errors = load_documents([tmp_path])
    assert errors == [] and [d.source for d in docs] == ["a/1.txt", "b/2.txt", "c.txt"]  # relative to the folder


# ---------------------------------------------------------------- ids


def test_doc_id_is_stable_and_content_based(tmp_path: Path) -> None:
    first = seed_docs()[4]
    again, _ = load_documents([SEEDS / first.source])
    assert again[0].doc_id == first.doc_id
    assert first.doc_id == hashlib.sha256(first.text.encode("utf-8")).hexdigest()[:16]
    assert document_id(first.text) == first.doc_id
    copy = tmp_path / "renamed.txt"
    copy.write_bytes((SEEDS / first.source).read_bytes())
    (copy_doc,), _ = load_documents([copy])
    assert copy_doc.doc_id == first.doc_id and copy_doc.source == "renamed.txt"
    assert len({d.doc_id for d in seed_docs()}) == 5


def test_furniture_does_not_change_the_id(tmp_path: Path) -> None:
    plain = tmp_path / "a.txt"
    plain.write_text(REPORT, encoding="utf-8")
    framed = tmp_path / "b.txt"
    framed.write_text("当前位置: 首页 > 公示公告\n" + REPORT + "\n打印本页 关闭窗口\n", encoding="utf-8")
    docs, _ = load_documents([plain, framed])
    assert docs[0].doc_id == docs[1].doc_id
