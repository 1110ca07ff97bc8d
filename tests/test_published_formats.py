"""Reports as bureaus publish them, end to end through the real model: a PDF
whose second page is a scan, a scanned PNG page, an old Word .doc, an Excel
disclosure table, a web page with its navigation bar and footer, and a PDF
whose line wraps fall inside numbers. Every file is made here (the .doc is
the committed sample: nothing in Python writes .doc); one ``govqa index
build`` over the folder indexes them all, then figure questions are asked.

OCR is slow on two cores, so the suite OCRs two pages in all, once.
"""
from __future__ import annotations

import contextlib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.render import render_answer
from retrieval.answer.sources import Citation
from retrieval.engine import Engine
from retrieval.index.fact_store import for_reader
from retrieval.index.store import IndexReader
from retrieval.ingest import clean_text

from .data.make_samples import text_pdf
from .scans import accuracy, image_pdf, joined_pdf, page_image, png_bytes

PROJECT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
OCR_ACCURACY = 0.95  # the floor for a scanned page read back against its source text
HAS_ANTIWORD = shutil.which("antiword") is not None

NAV_AND_FOOTER = ["无障碍", "长者模式", "繁体", "登录", "注册", "新闻动态", "互动交流", "专题专栏", "您现在的位置",
                  "版权所有", "ICP备", "网站标识码", "主办单位", "承办单位", "联系我们", "网站地图", "打印本页",
                  "关闭窗口", "分享到", "上一篇", "下一篇", "浏览次数"]


def seed_paragraphs(name: str) -> list[str]:
    return clean_text((PROJECT / "seeds" / name).read_text(encoding="utf-8")).split("\n")


def wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]


# ---------------------------------------------------------------- the files


@dataclass
class Published:
    folder: Path
    index: Path
    out: str  # what `govqa index build` printed on stdout
    err: str
    code: int
    scanned_lines: dict[str, list[str]]  # file -> lines drawn on its scanned page


def mixed_pdf() -> tuple[bytes, list[str]]:
    """明溪县 2024 (seed 002): page 1 typed (a text layer), page 2 a scan."""
    p = seed_paragraphs("002_563dbec16d3c29c3.txt")
    typed = [p[0], "日期:2025-01-23", *wrap(p[1], 35), p[2], *wrap(p[3], 35)]
    scan, drawn = page_image([p[4]], page_number=2)
    return joined_pdf(text_pdf(typed), image_pdf(scan)), drawn


def scanned_png() -> tuple[bytes, list[str]]:
    """金华市 2020 (seed 004): title and the law-enforcement section, scanned."""
    p = seed_paragraphs("004_e939aaac88e3997d.txt")
    image, drawn = page_image([p[0], p[11], p[12]])
    return png_bytes(image), drawn


def disclosure_workbook() -> bytes:
    """白河市 2023 disclosure tables as bureaus publish them in Excel: a title
    row, a merged caption row per table, a header row, merged value cells."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "主动公开政府信息情况"
    ws.append(["白河市应急管理局2023年政府信息公开工作年度报告"])
    ws.merge_cells("A1:D1")
    ws.append(["第二十条第(一)项"])
    ws.merge_cells("A2:D2")
    ws.append(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])
    ws.append(["规章", 0, 0, 0])
    ws.append(["行政规范性文件", 3, 1, 12])
    ws.append(["第二十条第(六)项"])
    ws.merge_cells("A6:D6")
    ws.append(["信息内容", "本年处理决定数量"])
    ws.merge_cells("B7:D7")
    ws.append(["行政处罚", 358])
    ws.merge_cells("B8:D8")
    ws.append(["行政强制", 4])
    ws.merge_cells("B9:D9")
    ws2 = book.create_sheet("收到和处理政府信息公开申请情况")
    ws2.append([None, "申请人情况"])
    ws2.merge_cells("B1:D1")
    ws2.append([None, "自然人", "法人或其他组织", "总计"])
    ws2.append(["本年新收政府信息公开申请数量", 26, 5, 31])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


WEB_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>青山区应急管理局 - 政府门户网站</title>
<script>var visits = 1;</script></head><body>
<div class="top-bar"><span>2022年3月1日 星期二</span> <a href="#">无障碍</a> | <a href="#">长者模式</a> |
<a href="#">简体</a> <a href="#">繁体</a> | <a href="/login">登录</a> <a href="/reg">注册</a></div>
<div class="head"><div class="nav"><a href="/">首页</a><a href="/gk">政务公开</a><a href="/xw">新闻动态</a>
<a href="/fw">政务服务</a><a href="/hd">互动交流</a><a href="/zt">专题专栏</a></div></div>
<div class="position">您现在的位置:<a href="/">首页</a> &gt;&gt; <a href="/gk">政务公开</a> &gt;&gt; <a>工作总结</a></div>
<div class="xxgk"><table><tr><th>索引号:</th><td>11330100MB0000000X/2022-00031</td><th>发布机构:</th>
<td>青山区应急管理局</td></tr><tr><th>成文日期:</th><td>2022-02-28</td><th>公开方式:</th><td>主动公开</td></tr>
<tr><th>文号:</th><td>青应急〔2022〕5号</td><th>主题分类:</th><td>安全生产</td></tr></table></div>
<div class="article"><h1>青山区应急管理局2021年法治政府建设情况报告</h1>
<p>2021年,区应急管理局坚持依法行政,扎实推进法治政府建设,现将有关情况报告如下。</p>
<p>一、严格规范执法</p>
<p>全年共检查企业<b>1688家次</b>,查处违法行为214起,罚款<span>96.5万元</span>。</p>
<p>二、执法数据</p>
<table border="1"><tr><td>事项</td><td>本年数量</td><td>上年数量</td></tr>
<tr><td>行政检查</td><td>1688</td><td>1502</td></tr><tr><td>行政处罚</td><td>214</td><td>187</td></tr></table>
<p>三、下步打算</p><p>继续加强执法队伍建设,提升执法规范化水平。</p>
<div class="tools">打印本页 | 关闭窗口 | 分享到: 微信 微博</div><div>浏览次数: 1024</div>
<div class="pager">上一篇:关于做好春节期间安全防范工作的通知<br>下一篇:没有了</div></div>
<div class="bottom"><div>政府网站 | 部门网站 | 区县网站</div><div>版权所有:青山区应急管理局</div>
<div>主办单位:青山区应急管理局 承办单位:青山区大数据发展中心</div>
<div>网站标识码:3301000051 浙ICP备05019082号-1</div><div>联系我们 | 网站地图 | 隐私声明</div></div>
</body></html>"""


WRAPPED_PARAGRAPHS = [
    "全年在电视台、广播电台、户外大屏等平台播放安全公益广告,各乡镇累计共播放2000余次,发放宣传资料3万余份。",
    "全年共检查全县生产经营单位2731家,依法实施行政处罚703次,共计罚款326.45万元,同比增长12.5%。",
]


def wrapped_pdf() -> bytes:
    """云溪县 2023: lines wrapped at 20 characters, so that the wraps fall
    inside "2000余次" (2000 | 余次) and "326.45万元" (326. | 45万元)."""
    lines = ["云溪县应急管理局2023年工作总结", "发布日期:2024-01-05", "一、宣传教育",
             *wrap(WRAPPED_PARAGRAPHS[0], 20), "二、执法检查", *wrap(WRAPPED_PARAGRAPHS[1], 20), "三、下步打算"]
    assert lines[4].endswith("2000") and lines[5].startswith("余次") and lines[8].endswith("326.")
    return text_pdf(lines)


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Published:
    """The folder, indexed once by `govqa index build` with the real model."""
    folder = tmp_path_factory.mktemp("published")
    pdf, pdf_lines = mixed_pdf()
    png, png_lines = scanned_png()
    (folder / "mingxi_2024.pdf").write_bytes(pdf)
    (folder / "jinhua_2020_scan.png").write_bytes(png)
    (folder / "baihe_2023.xlsx").write_bytes(disclosure_workbook())
    (folder / "qingshan_2021.html").write_text(WEB_PAGE, encoding="utf-8")
    (folder / "yunxi_2023.pdf").write_bytes(wrapped_pdf())
    shutil.copy(DATA / "report.doc", folder / "shiquan_2022.doc")
    for name in ("report_utf8.txt", "report.md", "report.docx", "corpus.jsonl"):  # and the formats read before
        shutil.copy(DATA / name, folder / name)
    index = tmp_path_factory.mktemp("published-index") / "index"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["index", "build", "--index", str(index), "--docs", str(folder)])
    return Published(folder, index, out.getvalue(), err.getvalue(), code,
                     {"mingxi_2024.pdf": pdf_lines, "jinhua_2020_scan.png": png_lines})


@pytest.fixture(scope="session")
def engine(published: Published) -> Engine:
    return Engine.open(published.index)


@pytest.fixture(scope="session")
def reader(published: Published):
    reader = IndexReader.open(published.index)
    yield reader
    reader.close()


def document(reader, source: str):
    return next(d for d in reader.documents.values() if d.source == source)


def chunks_of(reader, source: str):
    doc_id = document(reader, source).doc_id
    return [c for c, _, _ in reader.iter_chunks() if c.doc_id == doc_id]


def ask(engine: Engine, question: str, source: str):
    answer = engine.ask(question)
    assert answer.answered, (question, answer.message)
    assert answer.source.source == source, (question, answer.source.source, answer.answer)
    return answer


# ---------------------------------------------------------------- the build


def test_build_prints_one_line_per_file_and_the_summary(published: Published) -> None:
    lines = published.out.strip().split("\n")
    assert published.code == (0 if HAS_ANTIWORD else 1), published.err
    assert lines[-1].startswith("build: 11 docs," if HAS_ANTIWORD else "build: 10 docs,")
    read = lines[:-1]
    assert read[:2] == ["read baihe_2023.xlsx", "read corpus.jsonl: 2 documents"]
    assert re.fullmatch(r"read jinhua_2020_scan\.png: 1 page, 1 by OCR \(\d+\.\d s/page\)", read[2])
    assert re.fullmatch(r"read mingxi_2024\.pdf: 2 pages, 1 by OCR \(\d+\.\d s/page\)", read[3])
    assert read[4:] == ["read qingshan_2021.html", "read report.docx", "read report.md", "read report_utf8.txt",
                        *(["read shiquan_2022.doc"] if HAS_ANTIWORD else []), "read yunxi_2023.pdf: 1 page"]
    progress = published.err.split("\n")
    assert "OCR mingxi_2024.pdf: page 2/2" in progress and "OCR jinhua_2020_scan.png: page 1/1" in progress


# ---------------------------------------------------------------- scans


@pytest.mark.parametrize("source, page", [("mingxi_2024.pdf", 2), ("jinhua_2020_scan.png", 1)])
def test_ocr_reads_the_scanned_page_accurately(published: Published, reader, source: str, page: int) -> None:
    doc = document(reader, source)
    text = reader.document_text(doc.doc_id)
    starts = dict((p, offset) for offset, p in reader.document_pages(doc.doc_id))
    truth = "".join(published.scanned_lines[source])
    got = text[starts[page]:]
    assert accuracy(got, truth) >= OCR_ACCURACY
    if source == "jinhua_2020_scan.png":  # the whole file is the scan: title and metadata read from it
        assert (doc.meta.region, doc.meta.year) == ("金华市", 2020)


def test_typed_page_of_a_mixed_pdf_keeps_its_text_layer(reader) -> None:
    doc = document(reader, "mingxi_2024.pdf")
    text = reader.document_text(doc.doc_id)
    assert reader.document_pages(doc.doc_id)[0] == (0, 1)
    first = seed_paragraphs("002_563dbec16d3c29c3.txt")
    assert first[1] in text.split("\n") and first[3] in text.split("\n")  # wrapped lines joined whole
    assert (doc.meta.region, doc.meta.year, doc.meta.publish_date) == ("明溪县", 2024, "2025-01-23")


def test_figure_on_the_scanned_page_is_answered_and_cited_with_its_page(engine: Engine) -> None:
    answer = ask(engine, "明溪县2024年召开了多少次安全生产相关工作会?", "mingxi_2024.pdf")
    assert "召开安全生产相关工作会7次" in answer.answer
    assert answer.source.chunk.page == 2
    cite = Citation.of_hit(answer.source)
    assert cite.page == 2 and "p. 2" in cite.line()
    assert answer.to_dict()["passages"][0]["page"] == 2
    assert "(二)压紧压实安全生产责任,牢守底线思维 | p. 2 | published 2025-01-23 | file mingxi_2024.pdf" in render_answer(answer)


def test_figure_of_a_scanned_image_is_answered(engine: Engine) -> None:
    answer = ask(engine, "金华市2020年罚款多少?", "jinhua_2020_scan.png")
    assert "罚款1584.66万元" in answer.answer and any(f.text == "1584.66万元" for f in answer.figures)
    assert answer.source.chunk.page == 1


def test_every_chunk_of_a_paged_source_has_a_page(reader) -> None:
    for source in ("mingxi_2024.pdf", "jinhua_2020_scan.png", "yunxi_2023.pdf"):
        assert all(c.page in (1, 2) for c in chunks_of(reader, source))
    assert all(c.page is None for c in chunks_of(reader, "qingshan_2021.html"))


# ---------------------------------------------------------------- tables


@pytest.mark.skipif(not HAS_ANTIWORD, reason="reading .doc needs antiword: apt-get install antiword")
def test_doc_figures_are_answered(engine: Engine, reader) -> None:
    answer = ask(engine, "石泉县2022年本年制发行政规范性文件多少件?", "shiquan_2022.doc")
    assert "本年制发件数 4" in answer.answer and [f.value for f in answer.figures][:1] == [4.0]
    assert ask(engine, "石泉县2022年受理群众举报投诉多少件?", "shiquan_2022.doc").figures[0].text == "86件"
    rows = [c for c in chunks_of(reader, "shiquan_2022.doc") if " | " in c.text]
    assert {c.section for c in rows} == {"二、主动公开政府信息情况"}


def test_xlsx_rows_are_answered_and_cited_with_the_sheet_name(engine: Engine) -> None:
    answer = ask(engine, "白河市2023年行政处罚本年处理决定数量是多少?", "baihe_2023.xlsx")
    assert "行政处罚 | 本年处理决定数量 358" in answer.answer
    assert answer.source.chunk.section == "主动公开政府信息情况"
    answer = ask(engine, "白河市2023年本年新收政府信息公开申请数量中自然人有多少?", "baihe_2023.xlsx")
    assert "自然人 26" in answer.answer
    assert answer.source.chunk.section == "收到和处理政府信息公开申请情况"


def test_table_figures_reach_the_facts_table(published: Published, reader) -> None:
    baihe = document(reader, "baihe_2023.xlsx").doc_id
    rows = {(f.label, f.value) for f in for_reader(reader).facts() if f.doc_id == baihe}
    assert ("第二十条第(六)项 行政处罚 本年处理决定数量", 358.0) in rows
    assert ("第二十条第(一)项 行政规范性文件 现行有效件数", 12.0) in rows


# ---------------------------------------------------------------- web page


def test_web_page_figures_are_answered(engine: Engine) -> None:
    answer = ask(engine, "青山区2021年检查企业多少家次?", "qingshan_2021.html")
    assert any(f.text == "1688家次" for f in answer.figures)
    answer = ask(engine, "青山区2021年上年行政处罚数量是多少?", "qingshan_2021.html")
    assert "上年数量 187" in answer.answer


def test_no_chunk_of_the_web_page_holds_navigation_or_footer_text(reader) -> None:
    doc = document(reader, "qingshan_2021.html")
    assert (doc.meta.region, doc.meta.year, doc.meta.publish_date) == ("青山区", 2021, "2022-02-28")
    text = "\n".join(c.section + "\n" + c.text for c in chunks_of(reader, "qingshan_2021.html"))
    assert [word for word in NAV_AND_FOOTER if word in text] == []
    assert "查处违法行为214起" in text and "行政检查 | 本年数量 1688 | 上年数量 1502" in text


# ---------------------------------------------------------------- PDF lines


def test_pdf_wraps_inside_numbers_are_joined_and_answered(engine: Engine, reader) -> None:
    text = "\n".join(c.text for c in chunks_of(reader, "yunxi_2023.pdf"))
    assert all(p in text for p in WRAPPED_PARAGRAPHS)
    assert any(f.text == "2000余次" for f in ask(engine, "云溪县2023年播放安全公益广告多少次?", "yunxi_2023.pdf").figures)
    assert any(f.text == "326.45万元" for f in ask(engine, "云溪县2023年罚款多少?", "yunxi_2023.pdf").figures)


def test_facts_of_a_scanned_page_know_their_page(reader, tmp_path: Path) -> None:
    import sqlite3

    from retrieval.index.fact_store import FACTS_FILE, FactStore

    mingxi = document(reader, "mingxi_2024.pdf").doc_id
    facts = [f for f in for_reader(reader).facts(doc_id=mingxi) if f.text == "7次"]
    assert facts and {f.page for f in facts} == {2}
    old = tmp_path / FACTS_FILE  # a facts file written before pages were kept reads page None
    shutil.copy(reader.path / FACTS_FILE, old)
    con = sqlite3.connect(old)
    con.execute("ALTER TABLE facts DROP COLUMN page")
    con.commit()
    con.close()
    store = FactStore.open(tmp_path)
    assert {f.page for f in store.facts(doc_id=mingxi) if f.text == "7次"} == {None}
    store.close()
