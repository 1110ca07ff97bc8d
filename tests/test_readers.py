"""The readers of the formats bureaus publish in, one by one, without the
model: web pages without furniture, tables as row sentences, .doc and .xlsx
and their damaged forms, zip bombs, images that are not images, page
markers through cleaning, and the line joiner."""
from __future__ import annotations

import io
import json
import os
import shutil
import struct
import time
import zipfile
from pathlib import Path

import pytest

from retrieval.ingest import (IngestError, MissingTool, ReadOptions, check_zip, clean_text, load_documents,
                              read_text)
from retrieval.ingest.html import html_main_text
from retrieval.ingest.layout import Line, join_lines
from retrieval.ingest.office import xlsx_text
from retrieval.ingest.pages import page_marker, split_page_marks
from retrieval.text.normalise import fold_width

DATA = Path(__file__).resolve().parent / "data"
PAGES = Path(__file__).resolve().parent / "pages"  # gov.cn-style pages: article, info block, furniture (.json)


def squash(text: str) -> str:
    return "".join(fold_width(text).split())


# ---------------------------------------------------------------- web pages


@pytest.mark.parametrize("page", sorted(p.stem for p in PAGES.glob("*.html")))
def test_web_page_keeps_the_article_and_info_block_and_drops_the_furniture(page: str) -> None:
    truth = json.loads((PAGES / f"{page}.json").read_text(encoding="utf-8"))
    raw = html_main_text((PAGES / f"{page}.html").read_text(encoding="utf-8"))
    text = squash(clean_text(raw))
    assert [p[:20] for p in truth["article"] if squash(p) not in text] == []
    assert [x for x in truth["info"] if squash(x) not in squash(raw)] == []  # read before cleaning, by metadata
    assert [f for f in truth["furniture"] if squash(f) in text] == []


def test_web_page_tables_become_row_sentences_with_spans_expanded() -> None:
    text = html_main_text((PAGES / "page_disclosure.html").read_text(encoding="utf-8")).split("\n")
    assert "第二十条第(六)项 | 行政处罚 | 本年处理决定数量 703" in text  # colspan
    assert ("三、本年度办理结果 (三)不予公开 3.危及“三安全一稳定” | 申请人情况 | 自然人 1 | 法人或其他组织 商业企业 0 | "
            "法人或其他组织 科研机构 0 | 法人或其他组织 社会公益组织 0 | 法人或其他组织 法律服务机构 0 | "
            "法人或其他组织 其他 0 | 总计 1") in text  # rowspan row labels stacked, a two-row header
    assert text[:3] == ["索引号: 11330700002609426D/2024-312516", "发布机构: 某市应急管理局", "成文日期: 2024-01-15"]


def test_page_without_an_article_falls_back_to_its_text(tmp_path: Path) -> None:
    path = tmp_path / "fragment.html"
    path.write_text("<p>一、情况<p>罚款742万元<div><nav>菜单", encoding="utf-8")
    assert read_text(path) == "一、情况\n罚款742万元"


def test_a_huge_colspan_is_capped() -> None:
    page = ("<html><body><article><h1>某县应急管理局2023年工作总结</h1><p>正文一段,全年检查企业512家。</p>"
            "<table><tr><td colspan='1000000'>表</td></tr><tr><td>演练</td><td>35</td></tr>"
            "<tr><td>培训</td><td>12</td></tr></table></article></body></html>")
    started = time.perf_counter()
    assert "表 | 演练 | 35" in html_main_text(page).split("\n")  # the merged cell is the caption
    assert time.perf_counter() - started < 5


# ---------------------------------------------------------------- .xlsx


def workbook(fill) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    fill(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_multi_row_headers_and_hidden_sheets() -> None:
    def fill(book):
        ws = book.active
        ws.title = "行政复议和行政诉讼"
        ws.append(["行政复议", None, "行政诉讼", None])
        ws.merge_cells("A1:B1")
        ws.merge_cells("C1:D1")
        ws.append(["结果维持", "总计", "结果维持", "总计"])
        ws.append([1, 1, 0, 0])
        hidden = book.create_sheet("草稿")
        hidden.append(["不该读到", 99])
        hidden.sheet_state = "hidden"

    text = xlsx_text(Path("t.xlsx"), workbook(fill))
    assert text.split("\n") == ["行政复议和行政诉讼",
                                "行政复议 结果维持 1 | 行政复议 总计 1 | 行政诉讼 结果维持 0 | 行政诉讼 总计 0"]


def test_damaged_xlsx_is_one_line(tmp_path: Path) -> None:
    data = workbook(lambda book: book.active.append(["罚款", 80]))
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    docs, errors = load_documents([path])
    assert docs == [] and len(errors) == 1 and "\n" not in str(errors[0]) and "cut.xlsx" in str(errors[0])


# ---------------------------------------------------------------- zip bombs


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 300_000_000)
    return buffer.getvalue()


def lying_sizes(data: bytes, size: int) -> bytes:
    """Every declared uncompressed size patched to ``size`` (zipfile's read()
    inflates the whole part before noticing)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        i = 0
        while (i := out.find(signature, i)) != -1:
            struct.pack_into("<I", out, i + offset, size)
            i += 4
    return bytes(out)


@pytest.mark.parametrize("liar", [False, True])
def test_zip_bomb_is_refused_quickly_and_small(liar: bool) -> None:
    import resource

    data = bomb()
    if liar:
        data = lying_sizes(data, 1000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(IngestError, match="a zip bomb"):
        check_zip(Path("bomb.xlsx"), data)
    assert time.perf_counter() - started < 5
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 50  # MB of peak memory


def test_zip_bomb_named_xlsx_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb())
    docs, errors = load_documents([path])
    assert docs == [] and "zip bomb" in str(errors[0])


def test_real_office_files_pass_the_zip_guard() -> None:
    check_zip(Path("report.docx"), (DATA / "report.docx").read_bytes())
    check_zip(Path("t.xlsx"), workbook(lambda book: book.active.append(["罚款", 80])))


# ---------------------------------------------------------------- .doc


needs_antiword = pytest.mark.skipif(shutil.which("antiword") is None,
                                    reason="reading .doc needs antiword: apt-get install antiword")


@needs_antiword
def test_doc_table_rows_become_sentences() -> None:
    lines = read_text(DATA / "report.doc").split("\n")
    assert lines[0] == "石泉县应急管理局2022年政府信息公开工作年度报告"
    assert "第二十条第(一)项 | 行政规范性文件 | 本年制发件数 4 | 本年废止件数 2 | 现行有效件数 11" in lines
    assert lines.index("二、主动公开政府信息情况") < lines.index("三、存在的主要问题及改进情况")


@needs_antiword
@pytest.mark.parametrize("content, words", [
    ((DATA / "report.docx").read_bytes(), "rename it to .docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(3000), "not a readable Word 97-2003 file"),
    (os.urandom(3000), "not a Word 97-2003 document"),
])
def test_bad_doc_files_are_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "bad.doc"
    path.write_bytes(content)
    docs, errors = load_documents([path])
    assert docs == [] and words in str(errors[0]) and "\n" not in str(errors[0])


def test_doc_without_antiword_names_the_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    docs, errors = load_documents([DATA / "report.doc", DATA / "report_utf8.txt"])
    assert [d.source for d in docs] == ["report_utf8.txt"]  # the rest is still read
    [error] = errors
    assert isinstance(error, MissingTool) and error.tool == "antiword"
    assert str(error).endswith("reading .doc files needs antiword, which is not installed: "
                               "apt-get install antiword (or save the file as .docx)")


# ---------------------------------------------------------------- images


def test_an_image_that_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "page.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(300))
    docs, errors = load_documents([path])
    assert docs == [] and "not a readable image (damaged, or not PNG/JPEG/TIFF/BMP)" in str(errors[0])


def test_an_image_too_large_is_refused_before_decoding(tmp_path: Path) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, "PNG")  # 81 megapixels, a few KB
    path = tmp_path / "huge.png"
    path.write_bytes(buffer.getvalue())
    docs, errors = load_documents([path])
    assert docs == [] and "image too large (9000x9000 pixels" in str(errors[0])


def test_images_are_skipped_without_ocr(tmp_path: Path) -> None:
    path = tmp_path / "page.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0")
    docs, errors = load_documents([path], options=ReadOptions(ocr=False))
    assert docs == [] and errors[0].skipped and "--no-ocr" in str(errors[0])


# ---------------------------------------------------------------- pages and lines


def test_page_markers_survive_cleaning_even_inside_a_sentence() -> None:
    raw = "\n".join(["某县应急管理局2023年工作总结", page_marker(1), "发布日期:2024-01-05", "一、工作", "根据《",
                     page_marker(2), "安全生产法》要求,全年罚款80万元。", "打印本页 关闭窗口", page_marker(3), "二、打算",
                     "继续加强。"])
    text, pages = split_page_marks(clean_text(raw))
    assert [p for _, p in pages] == [1, 2, 3]
    assert text.split("\n") == ["某县应急管理局2023年工作总结", "一、工作", "根据《", "安全生产法》要求,全年罚款80万元。",
                                "二、打算", "继续加强。"]
    assert pages[2] == (text.index("二、打算"), 3)


def lines_of(rows: list[tuple[str, float]], em: float = 10.0, right: float = 200.0) -> list[Line]:
    """Lines at x0 (left edge 0), one em high, in a column ending at ``right``."""
    return [Line(text, 1, x0, x0 + em * len(text), k * 2 * em, k * 2 * em + em, 0.0, right)
            for k, (text, x0) in enumerate(rows)]


def test_lines_join_whatever_the_wrap_width_but_not_after_a_sentence() -> None:
    rows = [("一、工作情况", 0), ("全年检查企业512家,整改隐患", 20), ("1024处。下步将继续加强监管执法,", 0),
            ("确保安全。", 0), ("二、下步打算", 0)]
    got = [text for _, text in join_lines(lines_of(rows, right=160))]
    assert got == ["一、工作情况", "全年检查企业512家,整改隐患1024处。下步将继续加强监管执法,确保安全。", "二、下步打算"]


def test_a_number_is_never_cut_from_its_unit() -> None:
    rows = [("播放公益广告2000", 0), ("余次。", 0), ("日期:2025-01-23", 0), ("2024年,我局坚持依法行政。", 0)]
    got = [text for _, text in join_lines(lines_of(rows, right=110))]
    assert got == ["播放公益广告2000余次。", "日期:2025-01-23", "2024年,我局坚持依法行政。"]


def stamped_pdf(image_at: str, stamp: str = "扫描件") -> bytes:
    """One page: the 8x8 grey image drawn by ``image_at`` (a cm matrix), and
    ``stamp`` in the text layer."""
    import zlib

    from .data.make_samples import _pdf, _stream, _to_unicode_cmap, _ucs2

    pixels = zlib.compress(bytes(range(0, 256, 4)))
    return _pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /XObject << /Im1 4 0 R >> /Font << /F1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(pixels) + pixels + b"\nendstream",
        _stream(f"q {image_at} cm /Im1 Do Q BT /F1 12 Tf 50 810 Td <{_ucs2(stamp)}> Tj ET".encode()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        "/DescendantFonts [7 0 R] /ToUnicode 8 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>",
        _stream(_to_unicode_cmap(sorted(stamp))),
    ])


def test_a_scan_with_a_few_words_stamped_on_it_is_ocred(tmp_path: Path) -> None:
    """A text layer of a few characters over a page-sized image (a file name
    stamped on a scan) does not stand for the page: OCR runs. Beside a small
    image (a seal, a logo) the text layer is the page."""
    path = tmp_path / "stamped.pdf"
    path.write_bytes(stamped_pdf("100 0 0 100 400 100", "某县应急管理局2023年工作总结"))
    (doc,), _ = load_documents([path], options=ReadOptions(ocr=False))
    assert doc.text == "某县应急管理局2023年工作总结"
    path.write_bytes(stamped_pdf("495 0 0 742 50 50"))
    docs, errors = load_documents([path], options=ReadOptions(ocr=False))
    assert docs == [] and errors[0].skipped  # without OCR: nothing but the stamp, so the page is skipped
    docs, errors = load_documents([path])
    assert "no text found, not even by OCR" in str(errors[0])  # OCR ran over the (grey) image


def boxes(rows: list[list[tuple[str, float]]], em: float = 10.0, top: float = 0.0) -> list[Line]:
    """OCR-like boxes: each row a list of (text, x0), one em high, rows 2 em apart."""
    return [Line(text, 1, x0, x0 + em * len(text), top + k * 2 * em, top + k * 2 * em + em)
            for k, row in enumerate(rows) for text, x0 in row]


def test_reading_order_takes_columns_left_then_right() -> None:
    from retrieval.ingest.layout import reading_order

    title = boxes([[("某县应急管理局2023年工作总结", 0)]])
    columns = boxes([[("左栏第一行左栏第一行左栏", 0), ("右栏第一行右栏第一行右栏", 200)],
                     [("左栏第二行左栏第二行左栏", 0), ("右栏第二行右栏第二行右栏", 200)],
                     [("左栏第三行。", 0), ("右栏第三行。", 200)]], top=40)
    got = [line.text for line in reading_order(title + columns)]
    assert got == ["某县应急管理局2023年工作总结", "左栏第一行左栏第一行左栏", "左栏第二行左栏第二行左栏", "左栏第三行。",
                   "右栏第一行右栏第一行右栏", "右栏第二行右栏第二行右栏", "右栏第三行。"]


def test_scanned_table_rows_become_row_sentences() -> None:
    from retrieval.ingest.layout import reading_order

    table = boxes([[("信息内容", 0), ("本年制发件数", 100), ("现行有效件数", 200)],
                   [("规章", 0), ("0", 100), ("3", 200)],
                   [("行政规范性文件", 0), ("2", 100), ("15", 200)]])
    got = [text for _, text in join_lines(reading_order(table + boxes([[("- 1 -", 90)]], top=300)))]
    assert got == ["规章 | 本年制发件数 0 | 现行有效件数 3", "行政规范性文件 | 本年制发件数 2 | 现行有效件数 15"]  # page number dropped
