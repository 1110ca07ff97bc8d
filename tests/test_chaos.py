"""Issue 12 chaos test: kills, flipped bytes and a full disk against a real
index folder (fake embedder, real FAISS, SQLite, BM25, files and processes).

1. SIGKILL: ``index add`` and ``index remove`` run in a child process that is
   killed either at a random moment (a timer) or at a random file-system step
   (its Nth ``os.replace``/``rename``/``fsync``/``rmtree``, which lands kills
   inside the publish window a timer rarely hits).
2. Flipped bytes: in a fresh copy of the index, bytes are flipped in one file
   at a time (every file of the live generation, ``CURRENT``, ``HISTORY``).
3. A full disk: ``index add`` with too little room, at several sizes, so the
   write fails in different files. A real small file system (tmpfs, mounted in
   a private user and mount namespace with ``unshare -rm``, no root needed)
   when the kernel allows it, and always ``RLIMIT_FSIZE`` (writes past the
   limit fail with EFBIG; SIGXFSZ ignored), which needs nothing.

After each: ``verify`` says ok or names the damage one line per problem;
``ask`` answers from the last good generation or says in one line that the
index is damaged; ``list`` shows every report (none lost: the documents are
exactly those before or after the change); no traceback anywhere.
The random choices come from GOVQA_CHAOS_SEED (default 12), printed on failure.
"""
from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bot.cli import main
from retrieval.index.generations import history
from retrieval.index.store import IndexReader, current_generation
from retrieval.index.verify import verify

from .conftest import PROJECT, SEEDS

SEED = int(os.environ.get("GOVQA_CHAOS_SEED", "12"))
KILLS = 16  # half on a timer, half at a file-system step
QUESTION, FIGURE = "金华市2020年罚款多少", "1584.66万元"  # a seed report never removed
EXTRA = "{place}应急管理局{year}年工作总结\n发布日期:{year1}-01-10\n一、主要工作\n全年开展应急演练{n}次,转移群众{m}人。\n"
PLACES = ["安宁市", "东安县", "平安县", "长宁区", "北安县", "西宁县", "南安市", "永宁县"]

PRELUDE = textwrap.dedent("""
    import os, signal, sys, shutil
    from pathlib import Path
    sys.path.insert(0, {project!r}); sys.path.insert(0, {tests!r})
    import embeddings
    from conftest import FakeEmbedder
    embeddings.load_embedder = lambda name='', batch_size=32, cache=None: FakeEmbedder()
    from bot.cli import main
    import faiss
    from retrieval.index.keyword import _bm25s
    from retrieval.text.tokenize import tokenize
    _bm25s(); tokenize("金华市应急管理局")  # imports and the tokenizer's dictionary before the clock starts
""")

WRITER = PRELUDE + textwrap.dedent("""
    kill_at = int(sys.argv[1])  # die at the Nth file-system step; 0 = never (the parent may use a timer)
    calls = 0
    def step(real):
        def wrapped(*args, **kwargs):
            global calls
            calls += 1
            if calls == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return wrapped
    os.replace, os.fsync, shutil.rmtree, Path.rename = (step(os.replace), step(os.fsync), step(shutil.rmtree),
                                                        step(Path.rename))
    print("ready", flush=True)
    sys.stdin.readline()
    code = main(sys.argv[2:])
    print("steps", calls, flush=True)
    sys.exit(code)
""")

# One process runs every full-disk case (inside a private mount namespace when
# tmpfs is used): copy the index into the small room, add, lift the limit, check.
FULL_DISK = PRELUDE + textwrap.dedent("""
    import json, resource, subprocess
    from retrieval.index.store import IndexReader
    from retrieval.index.verify import verify
    from tests.test_chaos import run_cli
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past RLIMIT_FSIZE fails with EFBIG
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    cases = json.loads(sys.argv[1])
    for case in cases:
        work = Path(case["work"])
        work.mkdir()
        if case["tmpfs"]:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={{case['tmpfs']}}", "tmpfs", str(work)], check=True)
        index = work / "index"
        shutil.copytree(case["index"], index)
        if case["fsize"]:  # only the soft limit, so it can be lifted again for the checks
            resource.setrlimit(resource.RLIMIT_FSIZE, (case["fsize"], hard))
        case["add"] = run_cli(["index", "add", "--index", str(index), *case["docs"]])
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        case["verify"] = verify(index)
        case["ask"] = run_cli(["ask", "--index", str(index), {question!r}])
        case["sources"] = sorted(d.source for d in IndexReader.open(index).documents.values())
        case["tmp"] = [p.name for p in index.glob("*.tmp")]
    print(json.dumps(cases, ensure_ascii=False))
""")


def run_cli(argv: list[str]) -> dict:
    """``govqa ARGV`` in this process: exit code, stdout, stderr (progress lines
    dropped) and the traceback if one escaped."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main([str(a) for a in argv])
    except BaseException as exc:  # noqa: BLE001 - the point is to see it
        import traceback

        return {"code": None, "out": out.getvalue(), "err": err.getvalue(), "traceback": traceback.format_exc()
                or repr(exc)}
    lines = [line for line in err.getvalue().splitlines() if not line.startswith(("reading and", "embedding"))]
    return {"code": code, "out": out.getvalue(), "err": "\n".join(lines), "traceback": ""}


def sources(index: Path) -> set[str]:
    reader = IndexReader.open(index)
    try:
        return {d.source for d in reader.documents.values()}
    finally:
        reader.close()


def assert_answers_or_says_damaged(index: Path, context: str) -> None:
    result = run_cli(["ask", "--index", index, QUESTION])
    assert not result["traceback"], (context, result["traceback"])
    if result["code"] == 0:
        assert FIGURE in result["out"], (context, result["out"])
    else:
        assert result["code"] == 1 and "\n" not in result["err"].strip(), (context, result)
        assert "damaged" in result["err"], (context, result)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Path, Path]:
    """(an index of the seeds and two extra reports, a folder of reports to add)."""
    import embeddings
    import embeddings.loader

    from .conftest import FakeEmbedder

    work = tmp_path_factory.mktemp("chaos")
    extra = work / "extra"
    extra.mkdir()
    for i, place in enumerate(PLACES):
        (extra / f"x{i}.txt").write_text(EXTRA.format(place=place, year=2010 + i, year1=2011 + i, n=10 + i,
                                                      m=100 + i), encoding="utf-8")
    fake = FakeEmbedder()
    saved = embeddings.load_embedder, embeddings.loader.load_embedder
    embeddings.load_embedder = embeddings.loader.load_embedder = lambda name="", batch_size=32, cache=None: fake
    try:
        index = work / "index"
        assert main(["index", "build", "--index", str(index), "--docs", str(SEEDS),
                     "--docs", str(extra / "x0.txt"), "--docs", str(extra / "x1.txt")]) == 0
    finally:
        embeddings.load_embedder, embeddings.loader.load_embedder = saved
    return index, extra


# ---------------------------------------------------------------- 1. SIGKILL


def rollback(index: Path) -> str:
    """The generation live before the live one: the one before it in HISTORY, or
    HISTORY's last when a kill came between the switch and its record."""
    live, names = current_generation(index).name, history(index)
    if names[-1] != live:
        return names[-1]
    return names[-2] if len(names) > 1 else live


def _writer(argv: list[str], kill_at: int = 0, timer: float | None = None) -> tuple[int, str, float]:
    """Run ``govqa ARGV`` in a child; kill it at step ``kill_at`` or after ``timer``
    seconds. (exit code or -SIGKILL, its output, seconds from go to exit)."""
    script = WRITER.format(project=str(PROJECT), tests=str(PROJECT / "tests"))
    proc = subprocess.Popen([sys.executable, "-c", script, str(kill_at), *map(str, argv)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT)
    assert proc.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    if timer is not None:
        time.sleep(timer)
        proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out + err, time.perf_counter() - started


def test_sigkill_at_random_points_never_loses_a_report(fake_embedder, base, tmp_path) -> None:
    rng = random.Random(SEED)
    index = tmp_path / "index"
    shutil.copytree(base[0], index)
    extra = base[1]
    docs = sources(index)
    pool = sorted(p.name for p in extra.iterdir())

    def change(i: int) -> tuple[list[str], set[str]]:
        """The next change (add one report not indexed, or remove one that is) and the documents after it."""
        added = sorted(docs & set(pool))
        if i % 2 == 0 or len(added) <= 1:
            name = rng.choice([p for p in pool if p not in docs])
            return ["index", "add", "--index", index, extra / name], docs | {name}
        name = rng.choice(added)
        return ["index", "remove", "--index", index, name], docs - {name}

    # un-killed runs first: how many steps and seconds a change takes
    steps, seconds = 0, 0.0
    for i in range(2):
        argv, after = change(i)
        code, out, took = _writer(argv)
        assert code == 0, out
        steps, seconds = max(steps, int(out.split("steps ")[1].split()[0])), max(seconds, took)
        docs = after
    outcomes = {"killed": 0, "finished": 0}
    for i in range(KILLS):
        argv, after = change(i)
        context = f"kill {i} (seed {SEED}): {' '.join(map(str, argv[1:3]))} {Path(str(argv[-1])).name}"
        if i % 2:
            code, out, _ = _writer(argv, timer=rng.uniform(0.0, seconds))
        else:
            code, out, _ = _writer(argv, kill_at=rng.randint(1, steps))
        outcomes["killed" if code == -signal.SIGKILL else "finished"] += 1
        assert code in (0, -signal.SIGKILL), (context, out)
        now = sources(index)
        assert now in (docs, after), (context, sorted(docs ^ now))  # all or nothing: no report lost
        docs = now
        assert verify(index) == [], context
        assert_answers_or_says_damaged(index, context)
        assert (index / rollback(index) / "manifest.json").exists(), context  # the rollback generation is there
    print(f"chaos kills (seed {SEED}): {outcomes}, {steps} file-system steps, {seconds:.2f} s per change")
    assert outcomes["killed"] >= KILLS // 2, outcomes  # most runs were really killed midway


# ---------------------------------------------------------------- 2. flipped bytes


def _files_to_flip(index: Path) -> list[str]:
    gen = current_generation(index)
    inside = sorted(p.relative_to(index).as_posix() for p in gen.rglob("*") if p.is_file())
    return ["CURRENT", "HISTORY", *inside]


def test_flipped_bytes_in_every_file_are_named_or_harmless(fake_embedder, base, tmp_path) -> None:
    rng = random.Random(SEED)
    files = _files_to_flip(base[0])
    assert len(files) >= 11  # CURRENT, HISTORY, manifest, meta, faiss, 5 x bm25, facts, CHECKSUMS
    before = sources(base[0])
    for n, name in enumerate(files):
        copy = tmp_path / f"copy{n}"
        shutil.copytree(base[0], copy)
        path = copy / name
        data = bytearray(path.read_bytes())
        for offset in {0, len(data) - 1, *(rng.randrange(len(data)) for _ in range(2))}:
            data[offset] ^= 0xFF
        path.write_bytes(bytes(data))
        context = f"{name} flipped (seed {SEED})"
        gens = sorted(p.name for p in copy.glob("gen-*"))

        checked = run_cli(["index", "verify", "--index", copy])
        assert not checked["traceback"], (context, checked["traceback"])
        lines = checked["out"].strip().split("\n")
        if checked["code"] == 0:
            assert lines == ["verify: ok"] and name == "HISTORY", (context, checked)
        else:
            assert checked["code"] == 1 and all(line.startswith("problem: ") for line in lines[:-1]), context
            named = {Path(name).name, name.split("/")[1] + "/" if name.count("/") > 1 else Path(name).name}
            assert any(n in line for n in named for line in lines[:-1]), (context, lines)

        assert_answers_or_says_damaged(copy, context)
        listed = run_cli(["index", "list", "--index", copy])
        assert not listed["traceback"] and (listed["code"] == 0 or "damaged" in listed["err"]), (context, listed)

        added = run_cli(["index", "add", "--index", copy, base[1] / "x5.txt"])
        assert not added["traceback"], (context, added["traceback"])
        if added["code"] == 0:  # only damage nothing reads (HISTORY) lets a change go ahead
            assert name == "HISTORY" and sources(copy) == before | {"x5.txt"}, (context, added)
        else:
            assert added["code"] == 1 and "damaged" in added["err"] and "\n" not in added["err"].strip(), context
            assert sorted(p.name for p in copy.glob("gen-*")) == gens, context  # nothing deleted
        shutil.rmtree(copy)


# ---------------------------------------------------------------- 3. a full disk


def _tmpfs_available() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", 'd=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs "$d"'],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _full_disk(cases: list[dict], tmpfs: bool) -> list[dict]:
    script = FULL_DISK.format(project=str(PROJECT), tests=str(PROJECT / "tests"), question=QUESTION)
    command = [sys.executable, "-c", script, json.dumps(cases)]
    proc = subprocess.run(["unshare", "-rm", *command] if tmpfs else command, capture_output=True, text=True,
                          timeout=300, cwd=PROJECT)
    assert proc.returncode == 0 and proc.stdout.strip(), proc.stderr
    return json.loads(proc.stdout.strip().split("\n")[-1])


def _check_full_disk(case: dict, before: set[str], added: str) -> str:
    """Checks after one full-disk add; returns the file its error names ('' when it fitted)."""
    context, add = case["name"], case["add"]
    assert not add["traceback"], (context, add["traceback"])
    assert case["verify"] == [], (context, case["verify"])
    assert not case["tmp"], (context, case["tmp"])
    ask = case["ask"]
    assert ask["code"] == 0 and FIGURE in ask["out"], (context, ask)
    if add["code"] == 0:
        assert set(case["sources"]) == before | {added}, context
        return ""
    line = add["err"].strip()
    assert add["code"] == 1 and "\n" not in line and "left as it was" in line, (context, add)
    assert set(case["sources"]) == before, context  # the old index, every report
    return line.split("could not write ")[1].split(" (")[0].split("/", 1)[-1]


TMPFS_STEPS = 32  # room sizes tried, from the copied index alone to a little more than the change needs


def _rooms(base: Path, new_gen: Path) -> list[int]:
    """tmpfs sizes (whole pages, as tmpfs counts) from just the copied index to
    a quarter more than the change writes, so the room runs out in each file in turn."""
    page = os.sysconf("SC_PAGE_SIZE")

    def pages(folder: Path) -> int:
        return sum(-(-p.stat().st_size // page) * page for p in folder.rglob("*") if p.is_file())

    copy, written = pages(base), pages(new_gen)
    return sorted({copy + (written * 5 * i // (4 * TMPFS_STEPS)) // page * page for i in range(TMPFS_STEPS + 1)})


def test_a_full_disk_never_costs_the_old_index(fake_embedder, base, tmp_path) -> None:
    before = sources(base[0])
    added = "x2.txt"
    trial = tmp_path / "trial"  # the same change with room enough: the sizes of what it writes
    shutil.copytree(base[0], trial)
    assert run_cli(["index", "add", "--index", trial, base[1] / added])["code"] == 0
    cases = [{"name": f"RLIMIT_FSIZE {limit}", "fsize": limit, "tmpfs": 0} for limit in (4_096, 200_000)]
    tmpfs = _tmpfs_available()
    if tmpfs:  # a real small file system: ENOSPC wherever the room runs out
        cases += [{"name": f"tmpfs of {room} bytes", "fsize": 0, "tmpfs": room}
                  for room in _rooms(base[0], current_generation(trial))]
    for n, case in enumerate(cases):
        case.update(work=str(tmp_path / f"case{n}"), index=str(base[0]), docs=[str(base[1] / added)])
    results = _full_disk(cases, tmpfs)
    failed_in = {_check_full_disk(case, before, added) for case in results}
    failed_in.discard("")
    print(f"full disk ({'tmpfs and ' if tmpfs else ''}RLIMIT_FSIZE): writes failed in {sorted(failed_in)}")
    # the failures landed in different files (SQLite's journal needs more room than the small files
    # written after it, so a tmpfs fills up in meta.sqlite, bm25/ or facts.sqlite)
    assert len(failed_in) >= (3 if tmpfs else 1), failed_in
