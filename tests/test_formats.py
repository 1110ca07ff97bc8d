"""Every file format the index reads, from the real samples in tests/data/,
and the damaged forms of each: one clear one-line error per file."""
from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from retrieval.index.indexer import build_index
from retrieval.ingest import IngestError, ReadOptions, SkippedFile, load_documents, markdown_to_text, read_text
from retrieval.ingest.pages import split_page_marks
from retrieval.settings import Settings
from retrieval.index.store import IndexReader

DATA = Path(__file__).resolve().parent / "data"

# sample -> (region, year, doc type, publish date, figure the text must hold)
SAMPLES = {
    "report_utf8.txt": ("青石县", 2022, "工作总结", "2023-01-12", "排查整改隐患3467处"),
    "report_gbk.txt": ("柳溪市", 2021, "法治政府建设报告", "2022-02-15", "罚款526.3万元"),
    "report.md": ("白沙区", 2023, "工作要点", "2023-03-01", "全年计划组织应急演练60场"),
    "report.html": ("松岭县", 2020, "法治政府建设报告", "2021-01-20", "全年组织执法人员培训185人次"),
    "report.pdf": ("云江市", 2019, "法治政府建设报告", "2020-02-03", "全年组织应急演练75场"),
    "report.docx": ("河湾区", 2024, "工作计划", "2024-01-08", "隐患排查整改 2150处"),
}
JSONL_FIGURES = {"corpus.jsonl#1": "全年转移安置群众8600人", "corpus.jsonl#2": "全年约谈企业负责人42次"}


def load_one(path: Path, **kwargs) -> tuple[list, list[IngestError]]:
    return load_documents([path], **kwargs)


def only_error(path: Path, **kwargs) -> str:
    """The one error loading ``path`` gives (asserting nothing was loaded)."""
    docs, errors = load_one(path, **kwargs)
    assert docs == [] and len(errors) == 1, errors
    message = str(errors[0])
    assert "\n" not in message and path.name in message
    return message


# ---------------------------------------------------------------- the samples


def test_samples_are_small_and_complete() -> None:
    total = sum(p.stat().st_size for p in DATA.iterdir() if p.is_file())
    assert total < 200_000
    suffixes = {Path(name).suffix for name in [*SAMPLES, "corpus.jsonl"]}
    assert suffixes == {".txt", ".md", ".html", ".pdf", ".docx", ".jsonl"}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_sample_reads_with_its_figure_and_metadata(name: str) -> None:
    region, year, doc_type, published, figure = SAMPLES[name]
    (doc,), errors = load_one(DATA / name)
    assert errors == []
    assert figure in doc.text
    assert (doc.meta.region, doc.meta.year, doc.meta.doc_type, doc.meta.publish_date) == (
        region, year, doc_type, published)
    assert doc.source == name
    assert "发布日期" not in doc.text  # header line read as metadata, then dropped


def test_jsonl_sample_gives_one_document_per_line() -> None:
    docs, errors = load_one(DATA / "corpus.jsonl")
    assert errors == []
    assert {d.source: JSONL_FIGURES[d.source] in d.text for d in docs} == dict.fromkeys(JSONL_FIGURES, True)
    assert [(d.meta.region, d.meta.year) for d in docs] == [("枫林县", 2018), ("枫林县", 2019)]
    assert docs[0].url == "https://example.org/fenglin-2018"


def test_gbk_sample_is_really_gbk() -> None:
    data = (DATA / "report_gbk.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "柳溪市" in data.decode("gbk")


def test_htm_is_read_like_html(tmp_path: Path) -> None:
    copy = tmp_path / "page.htm"
    shutil.copy(DATA / "report.html", copy)
    (doc,), errors = load_one(copy)
    assert errors == [] and "185人次" in doc.text
    assert "首页" not in doc.text and "visits" not in doc.text  # navigation, script dropped


def test_every_sample_is_found_after_indexing(fake_embedder, tmp_path: Path) -> None:
    settings = Settings(index=tmp_path / "index")
    report = build_index([DATA / name for name in [*SAMPLES, "corpus.jsonl"]], settings.index, settings)
    assert report.errors == [] and report.documents == len(SAMPLES) + 2
    reader = IndexReader.open(settings.index)
    text = "\n".join(chunk.text for chunk, _, _ in reader.iter_chunks())
    for figure in [s[-1] for s in SAMPLES.values()] + list(JSONL_FIGURES.values()):
        assert figure in text
    by_source = {d.source: d.meta for d in reader.documents.values()}
    assert by_source["report_gbk.txt"].region == "柳溪市"  # GBK metadata survives the store
    assert reader.keyword.scores(["2150"]).max() > 0  # the docx table figure is in BM25


# ---------------------------------------------------------------- Markdown


def test_markdown_markup_is_removed() -> None:
    (doc,), _ = load_one(DATA / "report.md")
    assert not any(mark in doc.text for mark in ("#", "**", "](", "- "))
    assert "覆盖全部街道" in doc.text  # link text kept, address dropped
    assert markdown_to_text("| 指标 | 数值 |\n|:--|--:|\n| 罚款 | 80万元 |") == "指标 数值\n\n罚款 80万元"


# ---------------------------------------------------------------- PDF


def test_pdf_text_layer_keeps_lines() -> None:
    text, pages = split_page_marks(read_text(DATA / "report.pdf"))
    assert pages == [(0, 1)]
    assert text.split("\n")[:3] == ["云江市应急管理局2019年度法治政府建设工作情况报告",
                                    "发布日期:2020-02-03", "一、主要工作情况"]


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns (CJK = 2)."""
    lines, line = [], ""
    for ch in text:
        if sum(2 if ord(c) > 0x2E80 else 1 for c in line + ch) > width:
            lines, line = lines + [line], ""
        line += ch
    return lines + [line]


def test_pdf_wrapped_lines_are_joined_across_pages_and_page_numbers_dropped(tmp_path: Path) -> None:
    import pypdf

    from .data.make_samples import text_pdf

    paragraph = ("全年共检查生产经营单位2731家,行政处罚703次,罚款1584.66万元,责令停产整顿19家,"
                 "约谈企业负责人201人次,移送司法机关案件12起。")
    cut = wrap(paragraph, width=36)  # as a PDF lays out a long paragraph
    assert len(cut) == 4
    pages = [["十堰市应急管理局2021年工作总结", "一、执法情况", *cut[:3], "- 1 -"],
             ["第2页 共2页", *cut[3:], "二、下步打算"]]
    writer = pypdf.PdfWriter()
    for lines in pages:
        writer.append(pypdf.PdfReader(io.BytesIO(text_pdf(lines))))
    path = tmp_path / "wrapped.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    text, pages = split_page_marks(read_text(path))
    assert text.split("\n") == ["十堰市应急管理局2021年工作总结", "一、执法情况", paragraph, "二、下步打算"]
    assert pages == [(0, 1), (text.index("二、下步打算"), 2)]  # the paragraph is cited on the page it starts on


def test_pdf_lines_short_of_the_margin_are_not_joined(tmp_path: Path) -> None:
    from .data.make_samples import text_pdf

    paragraph = "全年共检查生产经营单位2731家,行政处罚703次,罚款1584.66万元,责令停产整顿19家。" * 3
    items = [f"第{i}项" + "安全生产" * (i % 5 + 2) for i in range(12)]  # one item a line, no 。
    path = tmp_path / "list.pdf"
    path.write_bytes(text_pdf([*wrap(paragraph, 60), *items, *wrap(paragraph, 60)]))
    assert split_page_marks(read_text(path))[0].split("\n") == [paragraph, *items, paragraph]


def test_scanned_pdf_without_ocr_is_skipped_saying_so() -> None:
    docs, errors = load_one(DATA / "scanned.pdf", options=ReadOptions(ocr=False))
    assert docs == [] and len(errors) == 1 and errors[0].skipped
    assert "no text layer (scanned PDF?): 1 of 1 page(s) need OCR, which --no-ocr turned off" in str(errors[0])


def test_scanned_pdf_of_a_blank_image_says_ocr_found_nothing() -> None:
    assert "no text found, not even by OCR (1 page(s))" in only_error(DATA / "scanned.pdf")


def test_blank_pdf_from_pypdf_says_its_pages_draw_nothing(tmp_path: Path) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "blank.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    assert "no text: the 1 page(s) draw nothing readable" in only_error(path)


@pytest.mark.parametrize("keep", [0.5, 0.95, 0.1])
def test_truncated_pdf_names_the_problem(tmp_path: Path, keep: float) -> None:
    data = (DATA / "report.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[:int(len(data) * keep)])
    assert "truncated PDF" in only_error(path)


def test_pdf_with_damaged_content_is_named(tmp_path: Path) -> None:
    data = (DATA / "report.pdf").read_bytes()
    start = data.index(b"stream\n", data.index(b"5 0 obj")) + len(b"stream\n")
    path = tmp_path / "damaged.pdf"
    path.write_bytes(data[:start] + b"\x00garbage" * 5 + data[start + 40:])
    assert "draw nothing readable (blank, or damaged content)" in only_error(path)


def test_web_page_saved_as_pdf_is_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "download.pdf"
    path.write_bytes((DATA / "report.html").read_bytes())
    assert "not a PDF" in only_error(path)


def test_password_protected_pdf(tmp_path: Path) -> None:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(DATA / "report.pdf"))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    assert "encrypted PDF" in only_error(path)


# ---------------------------------------------------------------- DOCX


def test_docx_keeps_document_order_and_table_rows() -> None:
    lines = read_text(DATA / "report.docx").split("\n")
    assert lines[0] == "河湾区应急管理局2024年工作计划"
    assert lines.index("隐患排查整改 2150处") < lines.index("二、保障措施")
    assert "应急培训 3600人次" in lines


def test_docx_layout_table_gives_one_line_per_paragraph(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("东湖区应急管理局2022年工作总结")
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.text = "一、安全生产"
    right.text = "全年检查企业512家。"
    right.add_paragraph("整改隐患1024处。")
    merged = document.add_table(rows=1, cols=3)
    merged.rows[0].cells[0].merge(merged.rows[0].cells[1]).text = "合计"
    merged.rows[0].cells[2].text = "1536处"
    path = tmp_path / "layout.docx"
    document.save(path)
    lines = read_text(path).split("\n")
    assert lines[1:4] == ["一、安全生产", "全年检查企业512家。", "整改隐患1024处。"]
    assert lines[4] == "合计 1536处"  # merged cell once


def test_old_doc_renamed_docx(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)  # OLE2 header of a .doc
    assert "not a .docx file" in only_error(path)


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "not word")
    path = tmp_path / "archive.docx"
    path.write_bytes(buffer.getvalue())
    assert "corrupt .docx" in only_error(path)


def test_truncated_docx(tmp_path: Path) -> None:
    data = (DATA / "report.docx").read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(data[: len(data) // 2])
    assert ".docx" in only_error(path)


def test_docx_without_text(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "empty.docx"
    docx.Document().save(path)
    assert "no text" in only_error(path)


# ---------------------------------------------------------------- files and folders


@pytest.mark.parametrize("name", ["report.pdf", "report.docx", "report_utf8.txt"])
def test_permission_denied_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            name: str) -> None:
    # Tests run as root, where chmod 000 does not stop reading: make the read fail instead.
    path = tmp_path / name
    shutil.copy(DATA / name, path)

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert "file not readable (permission denied)" in only_error(path)


def test_stat_refused_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.pdf"
    shutil.copy(DATA / "report.pdf", path)
    real_stat = Path.stat

    def stat(self: Path, **kwargs):
        if self.name == "report.pdf":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    docs, errors = load_documents([path])
    assert docs == [] and len(errors) == 1
    assert "permission denied" in str(errors[0]).lower()


def test_unreadable_subfolder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(DATA / "report_utf8.txt", tmp_path / "a.txt")
    (tmp_path / "locked").mkdir()
    shutil.copy(DATA / "report.pdf", tmp_path / "locked" / "b.pdf")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    docs, errors = load_documents([tmp_path])
    assert [d.source for d in docs] == ["a.txt"]
    assert [str(e) for e in errors] == [f"{tmp_path / 'locked'}: folder not readable (Permission denied)"]


def test_folder_walk_skips_unsupported_types(tmp_path: Path) -> None:
    (tmp_path / "2021" / "q1").mkdir(parents=True)
    shutil.copy(DATA / "report.pdf", tmp_path / "2021" / "q1" / "report.pdf")
    shutil.copy(DATA / "report.docx", tmp_path / "2021" / "report.docx")
    (tmp_path / "2021" / "slides.pptx").write_bytes(b"PK\x03\x04")
    (tmp_path / "README").write_text("notes", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    docs, errors = load_documents([tmp_path])
    assert sorted(d.source for d in docs) == ["2021/q1/report.pdf", "2021/report.docx"]  # relative to the folder
    assert all(isinstance(e, SkippedFile) and e.skipped for e in errors)
    assert sorted(str(e).split(": ", 1)[1] for e in errors) == [
        "unsupported file type '(no extension)'", "unsupported file type '.pptx'"]


def test_unsupported_file_named_on_its_own_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "slides.pptx"
    path.write_bytes(b"PK\x03\x04")
    docs, errors = load_documents([path])
    assert docs == [] and not errors[0].skipped
    assert "unsupported file type '.pptx'" in str(errors[0])


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with open(path, "wb") as fh:  # 20 MB of report text, over the 10 MB default
        line = "全年行政处罚416次,罚款526.3万元。\n".encode("utf-8")
        fh.write(line * (20_000_000 // len(line) + 1))
    message = only_error(path)
    assert "file too large" in message and "limit 10,000,000" in message and "GOVQA_MAX_FILE_BYTES" in message


def test_size_limit_is_configurable() -> None:
    size = (DATA / "report.pdf").stat().st_size
    assert "too large" in only_error(DATA / "report.pdf", max_bytes=size - 1)
    (doc,), errors = load_one(DATA / "report.pdf", max_bytes=size)
    assert errors == [] and "75场" in doc.text
    assert Settings.from_env({"GOVQA_MAX_FILE_BYTES": "12345"}).max_file_bytes == 12345


@pytest.mark.parametrize("name, content, word", [
    ("junk.txt", bytes(range(256)) * 40, "binary"),
    ("empty.md", b"", "file is empty"),
    ("blank.html", b" \r\n\t ", "whitespace"),
    ("markup.html", b"<html><script>x()</script><p> </p></html>", "no text"),
    ("empty.pdf", b"", "file is empty"),
    ("empty.docx", b"", "file is empty"),
])
def test_bad_content_in_any_format(tmp_path: Path, name: str, content: bytes, word: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert word in only_error(path)


def test_pages_survive_adding_to_the_index(fake_embedder, tmp_path: Path) -> None:
    from retrieval.index.indexer import add_documents

    settings = Settings(index=tmp_path / "index")
    build_index([DATA / "report.pdf"], settings.index, settings)
    add_documents([DATA / "report_utf8.txt"], settings.index, settings)  # re-chunks the stored documents
    reader = IndexReader.open(settings.index)
    pages = {reader.documents[c.doc_id].source: c.page for c, _, _ in reader.iter_chunks()}
    assert pages == {"report.pdf": 1, "report_utf8.txt": None}
