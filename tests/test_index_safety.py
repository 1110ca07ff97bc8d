"""Issue 12: an index already built is never lost or silently damaged.

Each test is one way an administrator's mistake or a machine's fault used to
lose reports or end in a traceback: a damaged ``CURRENT``, the rollback
generation chosen by name, corrupt vectors copied forward, two files with one
name, a prefix removing several documents, deep damage ``verify`` missed,
damage seen by ``ask``/``list``/``add``, a full disk, a broken generation
going live. Everything runs with the fake embedder through ``bot.cli.main``.
"""
from __future__ import annotations

import builtins
import errno
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from retrieval.index.store import IndexReader, current_generation, remove_stale_generations
from retrieval.index.verify import verify

from .conftest import PROJECT
from .test_cli_admin import govqa

REPORT = "{place}应急管理局{year}年法治政府建设情况报告\n发布日期:{year1}-01-05\n一、主要工作\n全年行政处罚{n}次,罚款{m}万元。\n"


def report(i: int, place: str = "安宁市") -> str:
    return REPORT.format(place=place, year=2000 + i % 20, year1=2001 + i % 20, n=100 + i, m=10 + i)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("GOVQA_INDEX", "GOVQA_MODEL", "GOVQA_MAX_FILE_BYTES", "GOVQA_MAX_CHUNKS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, place in enumerate(["安宁市", "东安县", "平安县", "长宁区"]):
        (folder / f"r{i}.txt").write_text(report(i, place), encoding="utf-8")
    return folder


@pytest.fixture
def index(tmp_path: Path) -> Path:
    return tmp_path / "index"


def generations(root: Path) -> list[str]:
    return sorted(p.name for p in root.glob("gen-*"))


def two_generations(capsys, index: Path, docs: Path) -> tuple[Path, Path]:
    """Build r0, r1 (first generation), add r2 (second): (first, second)."""
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs / "r0.txt",
                 "--docs", docs / "r1.txt")[0] == 0
    first = current_generation(index)
    assert govqa(capsys, "index", "add", "--index", index, docs / "r2.txt")[0] == 0
    second = current_generation(index)
    assert first != second and generations(index) == sorted([first.name, second.name])
    return first, second


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err.strip()


def assert_refused_as_damaged(code: int, err: str, *words: str) -> None:
    line = one_line(err)
    assert code == 1, err
    assert "damaged" in line and "govqa index verify" in line and "govqa index build" in line, line
    for word in words:
        assert word in line, (word, line)


# ---------------------------------------------------------------- 1. damaged pointer: refuse, keep


POINTER_DAMAGE = {
    "CURRENT missing": (lambda root, gen: (root / "CURRENT").unlink(), "CURRENT"),
    "CURRENT empty": (lambda root, gen: (root / "CURRENT").write_bytes(b""), "CURRENT"),
    "CURRENT garbage": (lambda root, gen: (root / "CURRENT").write_bytes(bytes(range(128, 256))), "CURRENT"),
    "CURRENT names a missing generation": (
        lambda root, gen: (root / "CURRENT").write_text("gen-20990101-000000-1-0000", encoding="utf-8"),
        "gen-20990101-000000-1-0000"),
    "manifest.json missing": (lambda root, gen: (gen / "manifest.json").unlink(), "manifest.json"),
}


@pytest.mark.parametrize("damage", list(POINTER_DAMAGE))
def test_add_and_remove_refuse_a_damaged_pointer_and_delete_nothing(fake_embedder, capsys, docs, index,
                                                                     damage) -> None:
    first, second = two_generations(capsys, index, docs)
    harm, named = POINTER_DAMAGE[damage]
    harm(index, second)
    before = generations(index)
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs / "r3.txt")
    assert_refused_as_damaged(code, err, named)
    code, out, err = govqa(capsys, "index", "remove", "--index", index, "r0.txt")
    assert_refused_as_damaged(code, err, named)
    assert generations(index) == before  # both old generations still there
    code, out, err = govqa(capsys, "index", "verify", "--index", index)
    assert code == 1 and named in out and "Traceback" not in out + err
    # the way out: a rebuild, which keeps the generation live before the damage for rollback
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs)[0] == 0
    assert verify(index) == [] and second.name in generations(index)


def test_a_folder_that_never_held_an_index_starts_from_empty(fake_embedder, capsys, docs, index) -> None:
    (index / "gen-20200101-000000-1-0000.tmp").mkdir(parents=True)  # a first build killed midway
    (index / ".lock").write_text("", encoding="utf-8")
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs / "r0.txt")
    assert code == 0, err
    assert [d.source for d in IndexReader.open(index).documents.values()] == ["r0.txt"]


# ---------------------------------------------------------------- 2. the rollback generation


class Killed(BaseException):
    """Stands for SIGKILL: no ``except Exception`` runs."""


def test_kill_between_rename_and_switch_keeps_the_previous_live_generation(fake_embedder, capsys, docs, index,
                                                                           monkeypatch) -> None:
    first, second = two_generations(capsys, index, docs)
    real_replace = os.replace

    def killed_at_switch(src, dst, *a, **kw):
        if Path(dst).name == "CURRENT":
            raise Killed()
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", killed_at_switch)
    with pytest.raises(Killed):
        main(["index", "add", "--index", str(index), str(docs / "r3.txt")])
    monkeypatch.setattr(os, "replace", real_replace)
    assert current_generation(index) == second
    remove_stale_generations(index)  # what the next writer does first
    assert generations(index) == sorted([first.name, second.name])  # the unpublished one is gone
    assert govqa(capsys, "index", "add", "--index", index, docs / "r3.txt")[0] == 0
    assert generations(index) == sorted([second.name, current_generation(index).name])


def test_disk_full_writing_current_keeps_the_index_and_its_rollback(fake_embedder, capsys, docs, index,
                                                                    monkeypatch) -> None:
    first, second = two_generations(capsys, index, docs)

    real_open = builtins.open

    def full_open(path, *args, **kwargs):
        if isinstance(path, (str, Path)) and Path(path).name == "CURRENT.tmp":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", full_open)
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs / "r3.txt")
    monkeypatch.setattr(builtins, "open", real_open)
    line = one_line(err)
    assert code == 1 and "No space left on device" in line and "left as it was" in line, err
    assert current_generation(index) == second
    remove_stale_generations(index)
    assert generations(index) == sorted([first.name, second.name])
    assert verify(index) == []


def test_publish_fsyncs_bm25_and_the_folder_after_rename_and_switch(fake_embedder, capsys, docs, index,
                                                                    monkeypatch) -> None:
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs / "r0.txt")[0] == 0
    events: list[tuple[str, str]] = []
    real_fsync, real_replace, real_rename = os.fsync, os.replace, Path.rename

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst, *a, **kw):
        events.append(("replace", str(dst)))
        return real_replace(src, dst, *a, **kw)

    def rename(self, target):
        events.append(("rename", str(target)))
        return real_rename(self, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "rename", rename)
    assert govqa(capsys, "index", "add", "--index", index, docs / "r1.txt")[0] == 0
    live = current_generation(index)
    root = str(index.resolve())
    assert ("fsync", str(live.resolve() / "bm25")) in events or any(
        e == "fsync" and p.endswith("/bm25") for e, p in events)
    at_rename = next(i for i, (e, p) in enumerate(events) if e in ("rename", "replace") and p == str(live))
    at_switch = next(i for i, (e, p) in enumerate(events) if e == "replace" and p.endswith("/CURRENT"))
    assert ("fsync", root) in events[at_rename:at_switch]  # the rename is on disk before the switch
    assert ("fsync", root) in events[at_switch:]  # and the switch itself


# ---------------------------------------------------------------- 3. corrupt vectors are not copied forward


def flip_a_vector(gen: Path) -> None:
    """Flip the exponent byte of a float near the end of vectors.faiss: the
    file still loads, one stored vector is no longer unit length."""
    path = gen / "vectors.faiss"
    data = bytearray(path.read_bytes())
    data[len(data) - 4 * 7 - 1] ^= 0x7F  # last byte of a little-endian float32: sign and exponent
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("with_checksums", [True, False])
def test_corrupt_vectors_are_found_and_not_copied_forward(fake_embedder, capsys, docs, index,
                                                          with_checksums) -> None:
    first, second = two_generations(capsys, index, docs)
    flip_a_vector(second)
    if not with_checksums:  # an index written before checksums: the vectors themselves are checked
        (second / "CHECKSUMS").unlink(missing_ok=True)
    before = generations(index)
    code, out, err = govqa(capsys, "index", "verify", "--index", index)
    assert code == 1 and "vectors.faiss" in out, out
    code, out, err = govqa(capsys, "index", "add", "--index", index, docs / "r3.txt")
    assert_refused_as_damaged(code, err, "vectors.faiss")
    assert generations(index) == before and current_generation(index) == second
    code, out, err = govqa(capsys, "index", "build", "--index", index, "--docs", docs)  # embeds all afresh
    assert code == 0 and " 0 reused" in out and verify(index) == []


# ---------------------------------------------------------------- 4. two files with one name


def test_same_file_name_in_two_folders_keeps_both(fake_embedder, capsys, tmp_path, index) -> None:
    folder = tmp_path / "reports"
    for sub, i in (("a", 1), ("b", 2)):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "report.txt").write_text(report(i, "东安县" if sub == "a" else "西安县"), encoding="utf-8")
    code, out, err = govqa(capsys, "index", "build", "--index", index, "--docs", folder)
    assert code == 0, err
    reader = IndexReader.open(index)
    assert sorted(d.source for d in reader.documents.values()) == ["a/report.txt", "b/report.txt"]


def test_same_file_name_given_twice_is_a_clash_line_and_both_are_kept(fake_embedder, capsys, tmp_path,
                                                                      docs, index) -> None:
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs / "r0.txt")[0] == 0
    a, b = tmp_path / "a" / "report.txt", tmp_path / "b" / "report.txt"
    for path, i in ((a, 5), (b, 6)):
        path.parent.mkdir()
        path.write_text(report(i, "北安县"), encoding="utf-8")
    code, out, err = govqa(capsys, "index", "add", "--index", index, a, b)
    assert code == 0, err
    clash = [line for line in err.splitlines() if "report.txt" in line]
    assert len(clash) == 1 and "clash" in clash[0], err
    texts = " ".join(c.text for c, _, _ in IndexReader.open(index).iter_chunks())
    assert "行政处罚105次" in texts and "行政处罚106次" in texts
    assert len(IndexReader.open(index).documents) == 3


# ---------------------------------------------------------------- 5. remove: one document per prefix


@pytest.fixture
def many(fake_embedder, capsys, tmp_path, index) -> dict[str, str]:
    """17 documents (so at least two ids share a first character): id -> source."""
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(17):
        (folder / f"m{i:02d}.txt").write_text(report(i), encoding="utf-8")
    assert govqa(capsys, "index", "build", "--index", index, "--docs", folder)[0] == 0
    return {d.doc_id: d.source for d in IndexReader.open(index).documents.values()}


def test_remove_by_an_ambiguous_prefix_removes_nothing_and_lists_the_matches(capsys, index, many) -> None:
    first_chars = [i[0] for i in many]
    shared = next(c for c in first_chars if first_chars.count(c) > 1)
    before = current_generation(index)
    code, out, err = govqa(capsys, "index", "remove", "--index", index, shared)
    assert code == 1 and current_generation(index) == before
    for doc_id, source in many.items():
        assert (doc_id in err) == doc_id.startswith(shared), err
    assert "Traceback" not in err


def test_remove_dry_run_and_several_documents_need_full_ids_or_yes(capsys, index, many) -> None:
    ids = sorted(many)
    before = current_generation(index)
    code, out, err = govqa(capsys, "index", "remove", "--index", index, "--dry-run", ids[0], ids[1])
    assert code == 0 and current_generation(index) == before
    assert f"would remove {ids[0]} {many[ids[0]]}" in err + out and ids[1] in err + out
    short = [ids[0][:8], ids[1][:8]]
    code, out, err = govqa(capsys, "index", "remove", "--index", index, *short)
    assert code == 1 and "--yes" in err and current_generation(index) == before
    code, out, err = govqa(capsys, "index", "remove", "--index", index, "--yes", *short)
    assert code == 0 and len(IndexReader.open(index).documents) == 15
    code, out, err = govqa(capsys, "index", "remove", "--index", index, ids[2], ids[3])  # full ids
    assert code == 0 and len(IndexReader.open(index).documents) == 13
    code, out, err = govqa(capsys, "index", "remove", "--index", index, many[ids[4]])  # exact source
    assert code == 0 and len(IndexReader.open(index).documents) == 12
    assert verify(index) == []


# ---------------------------------------------------------------- 8. verify looks deep


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0xFF
    path.write_bytes(bytes(data))


def junk_page(path: Path, page: int = 2, size: int = 4096) -> None:
    """Overwrite one SQLite page with junk (the header page stays readable)."""
    data = bytearray(path.read_bytes())
    start = min(page * size, len(data) - size) if len(data) > 2 * size else size // 2
    data[start:start + 512] = b"\xa5" * 512
    path.write_bytes(bytes(data))


DEEP_DAMAGE = {
    "meta.sqlite page": (lambda gen: junk_page(gen / "meta.sqlite"), "meta.sqlite"),
    "meta.sqlite text byte": (lambda gen: flip(gen / "meta.sqlite", -200), "meta.sqlite"),
    "bm25 array truncated": (lambda gen: (gen / "bm25" / "indptr.csc.index.npy").write_bytes(
        (gen / "bm25" / "indptr.csc.index.npy").read_bytes()[:-16]), "indptr"),
    "bm25 indices out of range": (lambda gen: _scale_npy(gen / "bm25" / "indices.csc.index.npy"), "bm25"),
    "facts.sqlite junk": (lambda gen: junk_page(gen / "facts.sqlite", page=1), "facts.sqlite"),
    "vector norms": (flip_a_vector, "vectors.faiss"),
}


def _scale_npy(path: Path) -> None:
    array = np.load(path)
    np.save(path, (array + 1000).astype(array.dtype))


# Without CHECKSUMS (an index written before them) a byte changed inside a row's
# text is valid SQLite and cannot be told; every other damage is found either way.
@pytest.mark.parametrize("damage, with_checksums", [(d, c) for d in DEEP_DAMAGE for c in (True, False)
                                                    if c or d != "meta.sqlite text byte"])
def test_verify_names_deep_damage(fake_embedder, capsys, docs, index, damage, with_checksums) -> None:
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs)[0] == 0
    gen = current_generation(index)
    if not with_checksums:
        (gen / "CHECKSUMS").unlink(missing_ok=True)
    harm, named = DEEP_DAMAGE[damage]
    harm(gen)
    code, out, err = govqa(capsys, "index", "verify", "--index", index)
    assert code == 1 and err == "", (out, err)
    lines = out.strip().split("\n")
    assert all(line.startswith("problem: ") for line in lines[:-1]) and lines[-1].startswith("verify: ")
    assert any(named in line for line in lines[:-1]), out


def test_verify_of_a_current_of_random_bytes_is_one_line(fake_embedder, capsys, docs, index) -> None:
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs)[0] == 0
    (index / "CURRENT").write_bytes(bytes(range(256)))
    code, out, err = govqa(capsys, "index", "verify", "--index", index)
    assert code == 1 and "Traceback" not in out + err
    assert out.startswith("problem: ") and "CURRENT" in out.split("\n")[0]


# ---------------------------------------------------------------- 9. damage seen by ask/list/add; a full disk


READER_DAMAGE = {
    "meta.sqlite": lambda gen: junk_page(gen / "meta.sqlite"),
    "vectors.faiss": lambda gen: (gen / "vectors.faiss").write_bytes((gen / "vectors.faiss").read_bytes()[:100]),
    "facts.sqlite": lambda gen: (gen / "facts.sqlite").write_bytes(b"junk" * 1024),
    "bm25": lambda gen: (gen / "bm25" / "data.csc.index.npy").write_bytes(b"junk"),
}


@pytest.mark.parametrize("damaged", list(READER_DAMAGE))
def test_ask_list_add_on_a_damaged_index_say_so_in_one_line(fake_embedder, capsys, docs, index, damaged) -> None:
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs)[0] == 0
    READER_DAMAGE[damaged](current_generation(index))
    commands = [["ask", "--index", index, "Compare fines across all reports"],
                ["ask", "--index", index, "安宁市2000年罚款多少"],
                ["index", "list", "--index", index], ["index", "stats", "--index", index],
                ["index", "add", "--index", index, docs / "r0.txt"]]
    refused = 0
    for argv in commands:
        code, out, err = govqa(capsys, *argv)
        if code == 0:  # this command does not read the damaged file
            assert "Traceback" not in err
            continue
        refused += 1
        line = one_line(err)
        assert code == 1 and "damaged" in line and damaged.split(".")[0] in line, (argv, err)
    assert refused >= 2  # at least one question and the add


# what the failing write says: Python and FAISS pass on EFBIG, SQLite calls it an I/O error
FULL_DISK_REASONS = ("(File too large)", "(disk I/O error)", "(database or disk is full)", "(No space left on device)")
FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    sys.path.insert(0, {project!r}); sys.path.insert(0, {tests!r})
    import embeddings
    from conftest import FakeEmbedder
    embeddings.load_embedder = lambda name='', batch_size=32, cache=None: FakeEmbedder()
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    from bot.cli import main
    sys.exit(main({argv!r}))
""")


@pytest.mark.parametrize("command", ["add", "build"])
def test_a_full_disk_during_build_or_add_is_one_line_and_the_old_index_stays(fake_embedder, capsys, tmp_path,
                                                                            docs, index, command) -> None:
    big = tmp_path / "big"
    big.mkdir()
    for i in range(40):
        (big / f"b{i}.txt").write_text(report(i, "北安县") * 20, encoding="utf-8")
    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs)[0] == 0
    before = current_generation(index)
    argv = ["index", "add", "--index", str(index), str(big)] if command == "add" else \
        ["index", "build", "--index", str(index), "--docs", str(big)]
    script = FULL_DISK.format(project=str(PROJECT), tests=str(PROJECT / "tests"), limit=64 * 1024, argv=argv)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    err = "".join(line + "\n" for line in proc.stderr.splitlines() if not line.startswith(("reading", "embedding")))
    line = one_line(err)
    assert proc.returncode == 1 and "left as it was" in line and "could not write gen-" in line, proc.stderr
    assert any(reason in line for reason in FULL_DISK_REASONS), line
    assert current_generation(index) == before and verify(index) == []
    assert not list(index.glob("*.tmp"))


# ---------------------------------------------------------------- 10. a broken generation never goes live


@pytest.mark.parametrize("broken", ["vectors.faiss", "facts.sqlite"])
def test_engine_keeps_the_old_generation_when_the_new_one_cannot_be_read(fake_embedder, capsys, docs, index,
                                                                        caplog, broken) -> None:
    from retrieval.engine import Engine
    from retrieval.settings import Settings

    assert govqa(capsys, "index", "build", "--index", index, "--docs", docs / "r0.txt")[0] == 0
    engine = Engine.open(index, Settings(index=index))
    old = engine.reader.path
    assert "行政处罚100次" in engine.ask("安宁市2000年行政处罚多少次").answer
    assert govqa(capsys, "index", "add", "--index", index, docs / "r1.txt")[0] == 0
    (current_generation(index) / broken).write_bytes(b"junk" * 64)
    engine._checked_at = -1e9  # look for a new generation at the next question
    caplog.clear()
    for question in ("安宁市2000年行政处罚多少次", "Compare fines across all reports"):
        answer = engine.ask(question)
        assert answer.answered, question
    assert engine.reader.path == old
    switch_lines = [r for r in caplog.records if "generation" in r.getMessage()]
    assert len(switch_lines) == 1 and switch_lines[0].exc_info is None
    assert broken in switch_lines[0].getMessage()
