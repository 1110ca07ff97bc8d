"""``govqa index ...`` as an administrator uses it: build, add, remove, list,
stats, verify, one writer, a missing index, bad input files, help.

Every test drives ``bot.cli.main([...])`` with the fake embedder (fast,
deterministic) and reads what was printed with capsys.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from retrieval.index.store import IndexReader, WriterLock, current_generation
from retrieval.index.verify import verify

DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ["report_utf8.txt", "report_gbk.txt", "report.md", "report.html", "report.pdf",
           "report.docx", "corpus.jsonl"]
SUMMARY = re.compile(r"^(build|add|remove): (\d+) docs, (\d+) chunks \((\d+) embedded, (\d+) reused\), "
                     r"(\d+) errors, [\d.]+ s -> \S+$")
# bot/progress.py without a terminal: "embedding chunks: 3/10", "OCR scan.pdf: page 1/2"
PROGRESS = re.compile(r"^([a-z ]+|OCR .+: page) \d+/\d+$|^[a-z ]+: \d+/\d+$")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich tables use $COLUMNS when not on a terminal; keep file names whole."""
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("GOVQA_INDEX", "GOVQA_MODEL", "GOVQA_MAX_FILE_BYTES"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A folder with three of the samples."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("report_utf8.txt", "report.pdf", "report.docx"):
        shutil.copy(DATA / name, folder / name)
    return folder


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "index"


def govqa_raw(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the CLI; return (exit code, stdout, stderr)."""
    capsys.readouterr()  # forget earlier output
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def govqa(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the CLI; return (exit code, stdout, stderr without progress lines)."""
    code, out, err = govqa_raw(capsys, *argv)
    return code, out, "".join(line for line in err.splitlines(keepends=True) if not PROGRESS.match(line))


def summary(out: str) -> re.Match[str]:
    """The one-line summary a change command ends with (last line of stdout)."""
    match = SUMMARY.match(out.strip().split("\n")[-1])
    assert match, out
    return match


def built(capsys, index: Path, *paths: Path) -> None:
    code, out, err = govqa(capsys, "index", "build", "--index", index, *[a for p in paths for a in ("--docs", p)])
    assert code == 0, err


def sources(index: Path) -> list[str]:
    reader = IndexReader.open(index)
    try:
        return sorted(d.source for d in reader.documents.values())
    finally:
        reader.close()


def chunk_text(index: Path) -> str:
    reader = IndexReader.open(index)
    try:
        return "\n".join(c.text for c, _, _ in reader.iter_chunks())
    finally:
        reader.close()


# ---------------------------------------------------------------- build


def test_build_prints_the_summary_line(fake_embedder, capsys, tmp_path, index) -> None:
    args = [a for name in SAMPLES for a in ("--docs", DATA / name)]
    code, out, err = govqa_raw(capsys, "index", "build", "--index", index, *args)
    assert code == 0
    progress = err.strip().split("\n")
    assert all(PROGRESS.match(line) for line in progress)  # nothing but progress
    assert "reading and chunking: 8/8" in progress
    match = summary(out)
    assert match.group(1) == "build" and int(match.group(2)) == 8  # the .jsonl holds two
    assert int(match.group(4)) == int(match.group(3)) and match.group(5) == "0"  # all embedded, none reused
    assert verify(index) == []
    assert "排查整改隐患3467处" in chunk_text(index) and "罚款526.3万元" in chunk_text(index)


def test_build_of_a_folder_lists_skipped_and_failed_files(fake_embedder, capsys, index, tmp_path,
                                                          monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no antiword on PATH: report.doc needs it
    code, out, raw_err = govqa_raw(capsys, "index", "build", "--index", index, "--docs", DATA)
    assert code == 1  # report.doc cannot be read; scanned.pdf is a grey square in which OCR finds no text
    assert "OCR scanned.pdf: page 1/1" in raw_err.split("\n")  # OCR progress, page by page
    lines = [line for line in raw_err.strip().split("\n") if not PROGRESS.match(line)]
    assert any(l.startswith("skipped ") and "make_samples.py: unsupported file type '.py'" in l for l in lines)
    assert [l for l in lines if l.startswith("error: ")] == [
        f"error: {DATA / 'report.doc'}: reading .doc files needs antiword, which is not installed: "
        f"apt-get install antiword (or save the file as .docx)",
        f"error: {DATA / 'scanned.pdf'}: no text found, not even by OCR (1 page(s))"]
    read = out.strip().split("\n")[:-1]  # one line per file read, then the summary
    assert read == ["read corpus.jsonl: 2 documents", "read report.docx", "read report.html", "read report.md",
                    "read report.pdf: 1 page", "read report_gbk.txt", "read report_utf8.txt"]
    assert summary(out).group(2) == "8" and summary(out).group(6) == "2"
    assert "report.pdf" in sources(index)


def test_build_without_ocr_skips_scans_and_says_so(fake_embedder, capsys, index, tmp_path) -> None:
    from .data.make_samples import text_pdf
    from .scans import image_pdf, joined_pdf, page_image

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DATA / "scanned.pdf", folder / "scanned.pdf")
    shutil.copy(DATA / "report.pdf", folder / "report.pdf")
    scan, _ = page_image(["二、下步打算"])
    (folder / "mixed.pdf").write_bytes(joined_pdf(text_pdf(["某县应急管理局2023年工作总结", "全年检查企业512家。"]),
                                                  image_pdf(scan)))
    (folder / "page.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    code, out, raw_err = govqa_raw(capsys, "index", "build", "--index", index, "--docs", folder, "--no-ocr")
    assert code == 0  # skipped files are no failures
    assert not any(line.startswith("OCR ") for line in raw_err.split("\n"))  # nothing was OCRed
    err = "".join(line for line in raw_err.splitlines(keepends=True) if not PROGRESS.match(line))
    assert out.strip().split("\n")[:-1] == [
        "read mixed.pdf: 2 pages, 1 without a text layer not read (--no-ocr)", "read report.pdf: 1 page"]
    assert sorted(err.strip().split("\n")) == [
        f"skipped {folder / 'page.png'}: an image: needs OCR, which --no-ocr turned off",
        f"skipped {folder / 'scanned.pdf'}: no text layer (scanned PDF?): 1 of 1 page(s) need OCR, "
        "which --no-ocr turned off"]
    assert summary(out).group(2) == "2"


def test_build_where_nothing_can_be_read_keeps_the_old_index(fake_embedder, capsys, tmp_path, docs, index) -> None:
    built(capsys, index, docs)
    before = current_generation(index)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, err = govqa(capsys, "index", "build", "--index", index, "--docs", empty)
    assert code == 1 and "file is empty" in err and "nothing to index" in err
    assert current_generation(index) == before and verify(index) == []
    assert sources(index) == ["report.docx", "report.pdf", "report_utf8.txt"]


def test_build_of_a_path_that_does_not_exist(fake_embedder, capsys, tmp_path, index) -> None:
    code, out, err = govqa(capsys, "index", "build", "--index", index, "--docs", tmp_path / "nowhere")
    assert code == 2 and err.strip() == f"govqa: no such file or folder: {tmp_path / 'nowhere'}"


# ---------------------------------------------------------------- add


def test_add_skips_identical_documents_and_embeds_only_new_ones(fake_embedder, capsys, docs, index,
                                                                monkeypatch) -> None:
    built(capsys, index, docs / "report_utf8.txt")
    encoded: list[str] = []
    real_encode = fake_embedder.encode_passages

    def counting(texts, progress=None):
        encoded.extend(texts)
        return real_encode(texts, progress)

    monkeypatch.setattr(fake_embedder, "encode_passages", counting)
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs)
    assert code == 0
    assert "skipped report_utf8.txt: already indexed (same content)" in err.split("\n")
    match = summary(out)
    assert match.group(1) == "add" and match.group(2) == "3"
    assert int(match.group(5)) >= 1  # the old document's vectors were reused
    assert encoded and not any("3467处" in t for t in encoded)  # ... not encoded again
    assert any("75场" in t for t in encoded) and any("2150处" in t for t in encoded)

    encoded.clear()
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs)
    assert code == 0 and encoded == []
    assert sorted(l for l in err.strip().split("\n")) == [
        f"skipped {name}: already indexed (same content)" for name in ("report.docx", "report.pdf", "report_utf8.txt")]
    assert summary(out).group(2) == "3" and summary(out).group(4) == "0"  # nothing embedded


def test_add_a_new_version_replaces_the_old(fake_embedder, capsys, docs, index) -> None:
    built(capsys, index, docs)
    old_id = next(d.doc_id for d in IndexReader.open(index).documents.values() if d.source == "report_utf8.txt")
    path = docs / "report_utf8.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("3467处", "3468处"), encoding="utf-8")
    code, out, err = govqa(capsys, "index", "add", "--index", index, path)
    assert code == 0 and f"removed report_utf8.txt (old version {old_id})" in err
    assert "3468处" in chunk_text(index) and "3467处" not in chunk_text(index)
    assert verify(index) == []


# ---------------------------------------------------------------- remove


def test_remove_by_source_and_by_id_prefix(fake_embedder, capsys, docs, index) -> None:
    built(capsys, index, docs)
    code, out, err = govqa(capsys, "index", "remove", "--index", index, "report.pdf")
    assert code == 0 and re.fullmatch(r"removed [0-9a-f]{16} report\.pdf\n", err)
    assert summary(out).group(1) == "remove" and summary(out).group(2) == "2"
    assert "75场" not in chunk_text(index)
    docx_id = next(d.doc_id for d in IndexReader.open(index).documents.values() if d.source == "report.docx")
    code, out, err = govqa(capsys, "index", "remove", "--index", index, docx_id[:6])
    assert code == 0 and err == f"removed {docx_id} report.docx\n"
    assert sources(index) == ["report_utf8.txt"]
    reader = IndexReader.open(index)
    assert reader.faiss.ntotal == reader.size and reader.keyword.scores(["2150"]).max(initial=0) == 0
    assert verify(index) == []


def test_remove_unknown_key_and_remove_everything(fake_embedder, capsys, docs, index) -> None:
    built(capsys, index, docs / "report.pdf")
    before = current_generation(index)
    code, out, err = govqa(capsys, "index", "remove", "--index", index, "nope.txt")
    assert code == 1 and "error: nope.txt: no indexed document has this id or source" in err
    code, out, err = govqa(capsys, "index", "remove", "--index", index, "report.pdf")
    assert code == 1 and "refusing to remove all 1 documents" in err
    assert not any(line.startswith("removed ") for line in err.split("\n"))
    assert current_generation(index) == before and sources(index) == ["report.pdf"]


# ---------------------------------------------------------------- list, stats, verify


def test_list_shows_the_table_with_filters(fake_embedder, capsys, index) -> None:
    built(capsys, index, *[DATA / name for name in SAMPLES])
    code, out, err = govqa(capsys, "index", "list", "--index", index)
    assert code == 0 and "8 indexed document(s)" in out
    for column in ("id", "source", "region", "year", "type", "chunks", "added"):
        assert column in out.split("\n")[1] + out.split("\n")[2]
    assert "report_gbk.txt" in out and "柳溪市" in out and "corpus.jsonl#2" in out

    code, out, err = govqa(capsys, "index", "list", "--index", index, "--region", "枫林县")
    assert code == 0 and "2 indexed document(s)" in out and "corpus.jsonl#1" in out and "report.pdf" not in out
    code, out, err = govqa(capsys, "index", "list", "--index", index, "--year", "2019")
    assert "2 indexed document(s)" in out and "report.pdf" in out and "corpus.jsonl#2" in out
    code, out, err = govqa(capsys, "index", "list", "--index", index, "--region", "枫林县", "--year", "2018")
    assert "1 indexed document(s)" in out and "corpus.jsonl#1" in out
    code, out, err = govqa(capsys, "index", "list", "--index", index, "--year", "1999")
    assert code == 0 and "0 indexed document(s)" in out


def test_stats(fake_embedder, capsys, docs, index) -> None:
    built(capsys, index, docs)
    reader = IndexReader.open(index)
    code, out, err = govqa(capsys, "index", "stats", "--index", index)
    assert code == 0
    fields = dict(re.findall(r"^([a-z ]+):\s+(.*)$", out, re.M))
    assert fields["documents"] == "3" and fields["chunks"] == str(reader.size)
    assert fields["model"].startswith(f"{reader.manifest['model']} ({fake_embedder.dim}-d")
    assert re.match(r"[\d.]+ MB", fields["disk"]) and fields["last change"] == reader.manifest["built_at"]
    assert current_generation(index).name in fields["index"]


def test_verify_passes_and_fails_on_a_corrupted_copy(fake_embedder, capsys, tmp_path, docs, index) -> None:
    built(capsys, index, docs)
    assert govqa(capsys, "index", "verify", "--index", index)[:2] == (0, "verify: ok\n")
    copy = tmp_path / "copy"
    shutil.copytree(index, copy)
    con = sqlite3.connect(current_generation(copy) / "meta.sqlite")
    with con:
        con.execute("DELETE FROM chunks WHERE chunk_id = (SELECT MAX(chunk_id) FROM chunks)")
    con.close()
    code, out, err = govqa(capsys, "index", "verify", "--index", copy)
    assert code == 1
    assert "problem: FAISS holds" in out and out.strip().endswith("problem(s)")
    manifest = current_generation(copy) / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps(dict(data, dimension=999)), encoding="utf-8")
    code, out, err = govqa(capsys, "index", "verify", "--index", copy)
    assert code == 1 and "FAISS dimension" in out
    assert govqa(capsys, "index", "verify", "--index", index)[0] == 0  # the original is untouched


@pytest.mark.parametrize("damage, file", [
    (lambda gen: (gen / "vectors.faiss").unlink(), "vectors.faiss"),
    (lambda gen: (gen / "vectors.faiss").write_bytes(b"junk"), "vectors.faiss"),
    (lambda gen: (gen / "meta.sqlite").write_bytes(b"junk" * 100), "meta.sqlite"),
    (lambda gen: (gen / "manifest.json").write_text("{", encoding="utf-8"), "manifest.json"),
    (lambda gen: shutil.rmtree(gen / "bm25"), "BM25"),
])
def test_verify_reports_damaged_files_in_one_line(fake_embedder, capsys, tmp_path, docs, index,
                                                  damage, file) -> None:
    built(capsys, index, docs / "report.pdf")
    copy = tmp_path / "copy"
    shutil.copytree(index, copy)
    damage(current_generation(copy))
    code, out, err = govqa(capsys, "index", "verify", "--index", copy)
    assert code == 1 and err == ""
    problem, last = out.strip().split("\n")
    assert problem.startswith("problem: ") and file in problem and last == "verify: 1 problem(s)"


# ---------------------------------------------------------------- one writer, missing index


def test_second_writer_exits_1(fake_embedder, capsys, docs, index) -> None:
    built(capsys, index, docs / "report.pdf")
    before = current_generation(index)
    with WriterLock(index):  # another writer at work
        for argv in (["add", docs], ["remove", "report.pdf"], ["build", "--docs", docs]):
            code, out, err = govqa(capsys, "index", argv[0], "--index", index, *argv[1:])
            assert code == 1
            assert err.strip() == f"govqa: index is being updated by PID {os.getpid()}; try again when it finishes"
    assert current_generation(index) == before
    assert govqa(capsys, "index", "add", "--index", index, docs)[0] == 0  # lock released


@pytest.mark.parametrize("argv", [["index", "list"], ["index", "stats"], ["index", "verify"],
                                  ["index", "remove", "report.pdf"], ["ask", "罚款多少"]])
def test_missing_index_is_a_one_line_error(fake_embedder, capsys, tmp_path, argv) -> None:
    code, out, err = govqa(capsys, *argv, "--index", tmp_path / "none")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("govqa: no index in")
    assert "run `govqa index build --docs seeds/" in err and err.strip().endswith("first")


def test_default_index_is_the_current_folder(fake_embedder, capsys, monkeypatch, tmp_path, docs) -> None:
    """With no --index and no GOVQA_INDEX the index is ./index where govqa runs;
    a user in a folder without one is told which folder was looked in."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = govqa(capsys, "index", "list")
    assert code == 2 and err.count("\n") == 1
    assert str(elsewhere / "index") in err and "--index DIR or GOVQA_INDEX" in err
    assert govqa(capsys, "index", "build", "--docs", docs)[0] == 0
    assert current_generation(elsewhere / "index") is not None


@pytest.mark.parametrize("where", ["before", "after"])
def test_index_option_before_or_after_the_action(fake_embedder, capsys, monkeypatch, tmp_path, docs, index,
                                                 where) -> None:
    """`govqa index --index DIR list` reads DIR, as `govqa index list --index DIR` does."""
    built(capsys, index, docs)
    monkeypatch.chdir(tmp_path)  # no ./index here
    argv = ["index", "--index", index, "list"] if where == "before" else ["index", "list", "--index", index]
    code, out, err = govqa(capsys, *argv)
    assert code == 0 and "report.pdf" in out, err


# ---------------------------------------------------------------- bad input files


def make_bad_inputs(folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[Path, str]]:
    """The bad inputs of issue 4: name -> (path, words of its error line)."""
    folder.mkdir(exist_ok=True)
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\t\u3000\n", encoding="utf-8")
    pdf = (DATA / "report.pdf").read_bytes()
    (folder / "cut.pdf").write_bytes(pdf[: len(pdf) // 2])
    with open(folder / "huge.txt", "wb") as fh:  # 20 MB, over the 10 MB default
        fh.write("全年行政处罚416次。\n".encode("utf-8") * (20_000_000 // 28 + 1))
    (folder / "locked.txt").write_bytes((DATA / "report_utf8.txt").read_bytes().replace(b"3467", b"3999"))
    lines = (DATA / "corpus.jsonl").read_text(encoding="utf-8").split("\n")
    (folder / "broken.jsonl").write_text("\n".join([lines[0], '{"title": "cut", "content": "全年', lines[1]]),
                                         encoding="utf-8")
    real_read_bytes = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        # tests run as root, where chmod 000 does not stop reading: refuse here instead
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return {
        "binary": (folder / "junk.txt", "binary"),
        "empty": (folder / "empty.txt", "file is empty"),
        "whitespace": (folder / "blank.txt", "only whitespace"),
        "truncated pdf": (folder / "cut.pdf", "truncated PDF"),
        "too large": (folder / "huge.txt", "file too large"),
        "unreadable": (folder / "locked.txt", "permission denied"),
        "missing": (folder / "nowhere.txt", "file not found"),
        "broken jsonl line": (folder / "broken.jsonl", "line 2: invalid JSON"),
    }


def test_bad_inputs_together(fake_embedder, capsys, monkeypatch, tmp_path, docs, index) -> None:
    built(capsys, index, docs)
    bad = make_bad_inputs(tmp_path / "bad", monkeypatch)
    shutil.copy(DATA / "report_gbk.txt", tmp_path / "bad" / "gbk.txt")
    code, out, err = govqa(capsys, "index", "add", "--index", index, tmp_path / "bad", bad["missing"][0])
    assert code == 1
    errors = [line for line in err.strip().split("\n") if line.startswith("error: ")]
    assert len(errors) == len(bad) == len(err.strip().split("\n"))  # one line per bad file, nothing else
    for path, words in bad.values():
        assert any(str(path) in line and words in line for line in errors), (path, words, errors)
    match = summary(out)
    assert match.group(2) == "6" and match.group(6) == str(len(bad))  # 3 old + GBK + 2 jsonl lines
    assert sources(index) == ["broken.jsonl#1", "broken.jsonl#3", "gbk.txt",
                              "report.docx", "report.pdf", "report_utf8.txt"]
    meta = next(d.meta for d in IndexReader.open(index).documents.values() if d.source == "gbk.txt")
    assert (meta.region, meta.year, meta.publish_date) == ("柳溪市", 2021, "2022-02-15")
    assert "罚款526.3万元" in chunk_text(index) and "3999" not in chunk_text(index)
    assert verify(index) == []


@pytest.mark.parametrize("case", ["binary", "empty", "whitespace", "truncated pdf", "too large",
                                  "unreadable", "missing", "broken jsonl line"])
def test_each_bad_input_leaves_the_index_intact(fake_embedder, capsys, monkeypatch, tmp_path, docs, index,
                                                case) -> None:
    built(capsys, index, docs)
    before = current_generation(index)
    path, words = make_bad_inputs(tmp_path / "bad", monkeypatch)[case]
    code, out, err = govqa(capsys, "index", "add", "--index", index, path)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith(f"error: {path}") and words in err
    if case != "broken jsonl line":  # its good lines are added
        assert current_generation(index) == before
    assert verify(index) == []
    assert {"report.docx", "report.pdf", "report_utf8.txt"} <= set(sources(index))


def test_size_limit_comes_from_the_environment(fake_embedder, capsys, monkeypatch, docs, index) -> None:
    built(capsys, index, docs / "report.pdf")
    monkeypatch.setenv("GOVQA_MAX_FILE_BYTES", "1000")
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs / "report.docx")
    assert code == 1 and "file too large" in err and "limit 1,000" in err
    monkeypatch.setenv("GOVQA_MAX_FILE_BYTES", "100000")
    assert govqa(capsys, "index", "add", "--index", index, docs / "report.docx")[0] == 0


# ---------------------------------------------------------------- help and usage


def test_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: govqa") and "index" in out and "ask" in out
    with pytest.raises(SystemExit) as exit_:
        main(["index", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for action in ("build", "add", "remove", "list", "stats", "verify"):
        assert action in out


def test_index_without_an_action_shows_its_help(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["index"])
    assert exit_.value.code == 0 and "build" in capsys.readouterr().out


def test_unknown_command_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["frobnicate"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'frobnicate'" in err and err.startswith("usage: govqa")
    with pytest.raises(SystemExit) as exit_:
        main(["index", "rebuild"])
    assert exit_.value.code == 2 and "invalid choice: 'rebuild'" in capsys.readouterr().err


def test_no_command_prints_help_and_exits_2(capsys) -> None:
    assert main([]) == 2
    assert "usage: govqa" in capsys.readouterr().out


# ---------------------------------------------------------------- eval


def test_eval_asks_follow_ups_with_the_context_of_the_item_they_follow(fake_embedder, capsys, tmp_path, docs,
                                                                       index) -> None:
    """``govqa eval`` of a QA file whose second item follows the first (as a chat would ask it)."""
    built(capsys, index, docs / "report_utf8.txt")
    qa = tmp_path / "qa.jsonl"
    items = [{"id": "q1", "question": "青石县2022年开展安全生产检查多少次", "gold_substring": None, "answer_numbers": [],
              "kind": "numeric"},
             {"id": "q2", "question": "那排查整改隐患呢?", "follows": "q1", "gold_substring": None, "answer_numbers": [],
              "kind": "numeric"}]
    qa.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    code, out, err = govqa(capsys, "eval", "--index", index, qa)
    assert code == 0 and "eval: n=2" in out, err
