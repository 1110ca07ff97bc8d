"""Issue 12: input that must not leak or swamp the index: symlinks out of the
folders given, invalid UTF-8 in a question, a .docx that expands to hundreds
of megabytes, a document of tens of thousands of chunks."""
from __future__ import annotations

import io
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from retrieval.index.store import IndexReader, current_generation

from .test_cli_admin import DATA, govqa


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GOVQA_INDEX", "GOVQA_MODEL", "GOVQA_MAX_FILE_BYTES", "GOVQA_MAX_CHUNKS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "index"


def sources(index: Path) -> list[str]:
    return sorted(d.source for d in IndexReader.open(index).documents.values())


def all_text(index: Path) -> str:
    return "\n".join(c.text for c, _, _ in IndexReader.open(index).iter_chunks())


# ---------------------------------------------------------------- 7. symlinks


def test_symlinks_leaving_the_folder_are_skipped(fake_embedder, capsys, tmp_path, index) -> None:
    secret = tmp_path / "private" / "salaries.txt"
    secret.parent.mkdir()
    secret.write_text("工资表\n局长年薪九十九万元,绝密。\n", encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    shutil.copy(DATA / "report_utf8.txt", docs / "report.txt")
    (docs / "leak.txt").symlink_to(secret)
    (docs / "leakdir").symlink_to(secret.parent, target_is_directory=True)
    (docs / "sub" / "inside.txt").symlink_to(docs / "report.txt")  # stays inside: fine
    code, out, err = govqa(capsys, "index", "build", "--index", index, "--docs", docs)
    assert code == 0, err
    skipped = [line for line in err.splitlines() if "symlink outside" in line]
    assert len(skipped) == 2 and all(line.startswith("skipped ") for line in skipped), err
    assert any("leak.txt" in line for line in skipped) and any("leakdir" in line for line in skipped)
    assert "九十九万" not in all_text(index)
    # a file named on the command line is the administrator's explicit choice
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs / "leak.txt")
    assert code == 0 and "九十九万" in all_text(index)


# ---------------------------------------------------------------- 12. invalid UTF-8 in a question


def test_invalid_utf8_in_a_command_line_question_is_one_line(fake_embedder, capsys, tmp_path, index) -> None:
    assert govqa(capsys, "index", "build", "--index", index, "--docs", DATA / "report_utf8.txt")[0] == 0
    question = "金华市2020年罚款\udcff多少"  # what Python makes of the byte 0xff in argv
    code, out, err = govqa(capsys, "ask", "--index", index, question)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "UTF-8" in err and "Traceback" not in err


# ---------------------------------------------------------------- 13. bounded input


def docx_bomb(path: Path, paragraphs: int) -> None:
    """A valid .docx whose document.xml expands to ~``paragraphs`` x 60 bytes."""
    with zipfile.ZipFile(DATA / "report.docx") as src:
        parts = {name: src.read(name) for name in src.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    head, tail = xml[: xml.index("<w:body>") + len("<w:body>")], xml[xml.index("</w:body>"):]
    para = "<w:p><w:r><w:t>全年行政处罚703次,罚款1584.66万元。</w:t></w:r></w:p>".encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in parts.items():
            if name == "word/document.xml":
                with out.open(name, "w") as fh:
                    fh.write(head.encode("utf-8"))
                    for _ in range(paragraphs // 10_000):
                        fh.write(para * 10_000)
                    fh.write(tail.encode("utf-8"))
            else:
                out.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def test_a_docx_that_expands_past_the_cap_is_refused_quickly(fake_embedder, capsys, monkeypatch, tmp_path,
                                                             index) -> None:
    monkeypatch.setenv("GOVQA_MAX_FILE_BYTES", "1000000")  # cap: 20 x 1 MB = 20 MB of XML
    bomb = tmp_path / "bomb.docx"
    docx_bomb(bomb, 400_000)  # ~30 MB of XML in a file of a few hundred KB
    assert bomb.stat().st_size < 1_000_000
    started = time.perf_counter()
    code, out, err = govqa(capsys, "index", "build", "--index", index, "--docs", bomb,
                           "--docs", DATA / "report_utf8.txt")
    seconds = time.perf_counter() - started
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 1 and len(errors) == 1 and "bomb.docx" in errors[0] and "expands" in errors[0], err
    assert sources(index) == ["report_utf8.txt"]
    assert seconds < 60, seconds  # generous: the point is not reading 30 MB of XML into paragraphs


def long_report(path: Path, paragraphs: int) -> None:
    lines = ["长宁区应急管理局2021年工作总结", "一、主要工作"]
    lines += [f"第{i}项:全年开展应急演练{i}次,转移群众{i * 3}人,检查企业{i * 7}家。" * 4 for i in range(paragraphs)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_chunks_per_document_are_capped_and_large_documents_warned(fake_embedder, capsys, monkeypatch,
                                                                   tmp_path, index) -> None:
    big = tmp_path / "big.txt"
    long_report(big, 2_500)
    assert govqa(capsys, "index", "build", "--index", index, "--docs", DATA / "report_utf8.txt")[0] == 0
    before = current_generation(index)
    code, out, err = govqa(capsys, "index", "add", "--index", index, "--max-chunks", "1000", big)
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 1 and len(errors) == 1 and "big.txt" in errors[0] and "--max-chunks" in errors[0], err
    assert current_generation(index) == before
    monkeypatch.setenv("GOVQA_MAX_CHUNKS", "1000")
    code, out, err = govqa(capsys, "index", "add", "--index", index, big)
    assert code == 1 and "big.txt" in err and current_generation(index) == before
    monkeypatch.delenv("GOVQA_MAX_CHUNKS")
    code, out, err = govqa(capsys, "index", "add", "--index", index, big)  # under the default 20,000
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert code == 0 and len(warnings) == 1, err
    assert "big.txt" in warnings[0] and re.search(r"\d[\d,]* chunks", warnings[0]) and "about" in warnings[0]
    assert "big.txt" in sources(index)
