"""Write the sample reports of ``tests/data/`` (one per format the index reads).

Each sample is a short, made-up report of an emergency-management bureau
with one figure that tests look for after indexing. ``report.doc`` (Word
97-2003) is written by LibreOffice when it is installed (no Python library
writes .doc); otherwise the committed file is kept. Run from the project
folder to regenerate them (the output is committed)::

    .venv/bin/python tests/data/make_samples.py

The PDF is written by hand (no PDF writer is installed, and pypdf cannot lay
out text): one page, a Type0 font ``STSong-Light`` with the predefined CMap
``UniGB-UCS2-H`` (codes are UCS-2, so a viewer with the Adobe Chinese font
pack shows the characters) and a ``/ToUnicode`` CMap mapping every code to
its character, which is what text extractors such as pypdf read. The font
is not embedded: the file stays under 2 KB.
"""
from __future__ import annotations

import json
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (lines of the report); the figure each test looks for is noted
TXT_UTF8 = [  # figure: 3467处
    "青石县应急管理局2022年安全生产工作总结",
    "发布日期: 2023-01-12",
    "一、主要工作",
    "全年共开展安全生产检查1288次,排查整改隐患3467处。",
    "二、下步打算",
    "持续推进安全生产专项整治。",
]
TXT_GBK = [  # figure: 526.3万元 (file encoded in GBK)
    "柳溪市应急管理局2021年法治政府建设情况报告",
    "发布日期:2022-02-15",
    "一、严格规范执法",
    "全年行政处罚416次,罚款526.3万元。",
]
MARKDOWN = """# 白沙区应急管理局2023年工作要点

发布日期: 2023-03-01

## 一、应急演练

- 全年计划组织应急演练**60场**,覆盖[全部街道](https://example.org/jd)。
- 开展森林防火巡查2400人次。
"""
HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>松岭县应急管理局 - 门户网站</title>
<script>var visits = 1;</script></head>
<body>
<nav><a href="/">首页</a> &gt; 政务公开</nav>
<div class="article">
<h1>松岭县应急管理局2020年法治政府建设工作情况报告</h1>
<p>发布日期:2021-01-20</p>
<p>一、加强执法队伍建设</p>
<p>全年组织执法人员培训<b>185人次</b>,考试合格率100%。</p>
</div>
<footer>打印本页 关闭窗口</footer>
</body></html>
"""
PDF_LINES = [  # figure: 75场
    "云江市应急管理局2019年度法治政府建设工作情况报告",
    "发布日期:2020-02-03",
    "一、主要工作情况",
    "全年组织应急演练75场,参与群众1.2万人次。",
]
DOCX_TITLE = "河湾区应急管理局2024年工作计划"  # figure in the table: 2150处
DOCX_PARAGRAPHS = ["发布日期:2024-01-08", "一、主要目标", "围绕安全生产和防灾减灾,确定以下指标:"]
DOCX_TABLE = [("指标", "目标"), ("隐患排查整改", "2150处"), ("应急培训", "3600人次")]
DOC_TITLE = "石泉县应急管理局2022年政府信息公开工作年度报告"  # figures: 86件 (text), 4 (table)
DOC_PARAGRAPHS = ["发布日期:2023-01-20", "一、总体情况", "全年共受理群众举报投诉86件,办结率100%。",
                  "二、主动公开政府信息情况"]
DOC_TABLE = [("第二十条第(一)项",) * 4, ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
             ("规章", "0", "0", "0"), ("行政规范性文件", "4", "2", "11")]
JSONL_RECORDS = [  # figures: 8600人 (line 1), 42次 (line 2)
    {"title": "枫林县应急管理局2018年工作总结", "year": 2018, "url": "https://example.org/fenglin-2018",
     "content": "枫林县应急管理局2018年工作总结\n\n一、防汛救灾\n\n全年转移安置群众8600人,无一人伤亡。"},
    {"title": "枫林县应急管理局2019年工作总结", "year": "2019", "url": "https://example.org/fenglin-2019",
     "content": "枫林县应急管理局2019年工作总结\n\n一、安全监管\n\n全年约谈企业负责人42次。"},
]


def write_samples(folder: Path = HERE) -> list[Path]:
    """Write every sample into ``folder``; return their paths."""
    written = {
        "report_utf8.txt": ("\n".join(TXT_UTF8) + "\n").encode("utf-8"),
        "report_gbk.txt": ("\r\n".join(TXT_GBK) + "\r\n").encode("gbk"),
        "report.md": MARKDOWN.encode("utf-8"),
        "report.html": HTML.encode("utf-8"),
        "report.pdf": text_pdf(PDF_LINES),
        "scanned.pdf": image_only_pdf(),
        "report.docx": docx_bytes(),
        "corpus.jsonl": "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in JSONL_RECORDS).encode("utf-8"),
    }
    for name, data in written.items():
        (folder / name).write_bytes(data)
    doc = doc_bytes()
    if doc is not None:  # needs LibreOffice; without it the committed report.doc stays
        (folder / "report.doc").write_bytes(doc)
        written["report.doc"] = doc
    return [folder / name for name in written]


# ---------------------------------------------------------------- PDF


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (any BMP characters)."""
    rows = "\n".join(f"<{_ucs2(line)}> Tj T*" for line in lines)
    content = f"BT\n/F1 12 Tf\n16 TL\n50 790 Td\n{rows}\nET".encode("ascii")
    font = ("<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
            "/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>")
    cid_font = ("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /DW 1000 >>")
    return _pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        font,
        _stream(content),
        cid_font,
        _stream(_to_unicode_cmap(sorted({ch for line in lines for ch in line}))),
    ])


def image_only_pdf() -> bytes:
    """A one-page PDF with an 8x8 grey image and no text: what a scanner makes."""
    image = (b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n")
    pixels = zlib.compress(bytes(range(0, 256, 4)))
    return _pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>",
        image % len(pixels) + pixels + b"\nendstream",
        _stream(b"q 495 0 0 742 50 50 cm /Im1 Do Q"),
    ])


def _ucs2(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text)


def _to_unicode_cmap(chars: list[str]) -> bytes:
    """A ToUnicode CMap mapping each 2-byte code to the same code point."""
    blocks = []
    for start in range(0, len(chars), 100):  # at most 100 entries per bfchar block
        part = chars[start:start + 100]
        pairs = "\n".join(f"<{_ucs2(ch)}> <{_ucs2(ch)}>" for ch in part)
        blocks.append(f"{len(part)} beginbfchar\n{pairs}\nendbfchar")
    return ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
            + "\n".join(blocks)
            + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend").encode("ascii")


def _stream(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"


def _pdf(objects: list[str | bytes]) -> bytes:
    """Objects numbered 1.. in order, a cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + (body.encode("ascii") if isinstance(body, str) else body)
        out += b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# ---------------------------------------------------------------- DOCX


def docx_bytes() -> bytes:
    """A Word document: title, paragraphs, then a table of targets."""
    import io

    import docx

    document = docx.Document()
    document.core_properties.author = "govqa tests"
    document.add_heading(DOCX_TITLE, level=1)
    for text in DOCX_PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=len(DOCX_TABLE), cols=2)
    for row, values in zip(table.rows, DOCX_TABLE):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("二、保障措施")
    document.add_paragraph("加强组织领导,确保各项指标按期完成。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- DOC


def doc_bytes() -> bytes | None:
    """A Word 97-2003 report (title, paragraphs, a disclosure table with a
    merged caption row), written by LibreOffice from a .docx; None when
    LibreOffice (``soffice``) is not installed. No Python library writes .doc."""
    import io
    import shutil
    import subprocess
    import tempfile

    import docx

    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    document = docx.Document()
    document.add_paragraph(DOC_TITLE)
    for text in DOC_PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=len(DOC_TABLE), cols=4)
    table.rows[0].cells[0].merge(table.rows[0].cells[3])
    for row, values in zip(table.rows, DOC_TABLE):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("三、存在的主要问题及改进情况")
    document.add_paragraph("信息更新不够及时,下一步将加强督促检查。")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.docx"
        buffer = io.BytesIO()
        document.save(buffer)
        source.write_bytes(buffer.getvalue())
        subprocess.run([soffice, "--headless", "--convert-to", "doc", "--outdir", tmp, str(source)],
                       check=True, capture_output=True, timeout=120)
        return (Path(tmp) / "report.doc").read_bytes()


if __name__ == "__main__":
    for path in write_samples():
        print(f"{path.stat().st_size:>7,} {path.relative_to(HERE.parent.parent)}")
