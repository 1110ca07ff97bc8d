"""Opening an index and starting a process are cheap, and give the same results
as the slow ways they replace (BM25 without bm25s, jieba's cache read at once)."""
from __future__ import annotations

import marshal
import random
import subprocess
import sys

import numpy as np
import pytest

from retrieval.index.keyword import KeywordIndex, _bm25s
from retrieval.index.folder import FolderReader
from retrieval.index.store import IndexReader

from .conftest import PROJECT


def test_bm25_read_from_mapped_arrays_scores_as_bm25s(seed_index_dir):
    reader = IndexReader.open(seed_index_dir)
    folder = reader.path / "bm25"
    ours = KeywordIndex.load(folder, reader.size, mmap=True)
    assert isinstance(ours._data, np.memmap)  # mapped, not read
    theirs = _bm25s().BM25.load(str(folder), show_progress=False, verbosity=0)
    vocab = [t for t, i in theirs.vocab_dict.items() if i < len(theirs.scores["indptr"]) - 1]
    rng = random.Random(7)
    for _ in range(300):
        query = rng.sample(vocab, rng.randint(1, 6)) + ["不在索引里的词"]
        known = [t for t in dict.fromkeys(query) if t in theirs.vocab_dict]
        expected = np.asarray(theirs.get_scores(known), dtype=np.float32)
        assert np.array_equal(ours.scores(query), expected), query
    assert not ours.scores(["不在索引里的词", ""]).any()
    assert ours.document_frequencies() == reader.keyword.document_frequencies()


def test_answering_does_not_import_bm25s_nor_pkg_resources(seed_index_dir):
    """bm25s (and scipy) cost a process that only answers ~0.2 s; jieba's
    import of pkg_resources ~0.06 s and a deprecation warning on stderr."""
    code = ("import sys; from retrieval.engine import Engine; "
            f"e = Engine.open({str(seed_index_dir)!r}); a = e.ask('金华市2020年罚款多少'); "
            "print(a.answered, *(m in sys.modules for m in ('bm25s', 'scipy.sparse', 'pkg_resources')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, timeout=300)
    assert out.stdout.split() == ["True", "False", "False", "False"], out.stderr[-2000:]
    assert "pkg_resources" not in out.stderr


def test_jieba_dictionary_cache_is_read_in_one_piece(tmp_path):
    import jieba

    from retrieval.text.tokenize import JIEBA_CACHE_FILE, _load_dictionary_cache, tokenizer

    slow = jieba.Tokenizer()
    slow.tmp_dir = str(tmp_path)
    assert not _load_dictionary_cache(slow)  # no cache yet: jieba makes it
    slow.initialize()
    assert (tmp_path / JIEBA_CACHE_FILE).exists()
    fast = jieba.Tokenizer()
    fast.tmp_dir = str(tmp_path)
    assert _load_dictionary_cache(fast) and fast.initialized
    assert fast.FREQ == slow.FREQ and fast.total == slow.total
    text = "金华市应急管理局2020年行政处罚703次,罚款1584.66万元"
    assert fast.lcut_for_search(text) == slow.lcut_for_search(text)
    (tmp_path / JIEBA_CACHE_FILE).write_bytes(b"\x00damaged")
    damaged = jieba.Tokenizer()
    damaged.tmp_dir = str(tmp_path)
    assert not _load_dictionary_cache(damaged)
    (tmp_path / JIEBA_CACHE_FILE).write_bytes(marshal.dumps(["not", "a", "dictionary"]))
    assert not _load_dictionary_cache(damaged)
    assert tokenizer().initialized


@pytest.mark.parametrize("question", ["how many fines did Jinhua issue in 2020", "金华市2020年罚款多少"])
def test_coverage_reads_no_document_text_on_open(seed_index_dir, monkeypatch, question):
    from retrieval.engine import Engine
    from retrieval.settings import Settings

    monkeypatch.setattr(IndexReader, "document_text",
                        lambda self, doc_id: pytest.fail("opening read a document's text"))
    engine = Engine.open(seed_index_dir, Settings())
    assert engine.ask(question).answered


# ---------------------------------------------------------------- tables kept on disk


def test_a_table_is_made_again_when_its_source_changes_or_its_file_is_damaged(tmp_path):
    from retrieval.text.tables import cached_table

    source = tmp_path / "source.txt"
    source.write_text("1 2 3", encoding="utf-8")
    made = []

    def build():
        made.append(1)
        return [int(x) for x in source.read_text(encoding="utf-8").split()]

    folder = tmp_path / "tables"
    assert cached_table("numbers", build, [source], folder=folder) == [1, 2, 3]
    assert cached_table("numbers", build, [source], folder=folder) == [1, 2, 3] and len(made) == 1
    source.write_text("4 5 6 7", encoding="utf-8")  # another size: another key
    assert cached_table("numbers", build, [source], folder=folder) == [4, 5, 6, 7] and len(made) == 2
    assert len(list(folder.glob("numbers-*.pickle"))) == 1  # the older key is gone
    next(folder.glob("numbers-*.pickle")).write_bytes(b"\x80damaged")
    assert cached_table("numbers", build, [source], folder=folder) == [4, 5, 6, 7] and len(made) == 3
    assert cached_table("numbers", build, [source], inputs="other", folder=folder) == [4, 5, 6, 7]
    assert len(made) == 4  # other inputs, other table
    unpicklable = cached_table("lambda", lambda: (lambda: 1), folder=folder)
    assert unpicklable() == 1 and not list(folder.glob("lambda-*")) and not list(folder.glob(".*tmp"))


def test_kept_tables_equal_freshly_made_ones(seed_index_dir):
    """What a process reads from the cache folder is what it would have built."""
    from retrieval.places import Gazetteer as Places
    from retrieval.query.cedict import Cedict, english_vocabulary
    from retrieval.query.gazetteer import Gazetteer
    from retrieval.query.regions import RegionTable
    from retrieval.engine import Snapshot

    from retrieval.places.gazetteer import _resources

    assert Places.load() == Places.build(_resources())
    assert Gazetteer.load() == Gazetteer.build()
    assert english_vocabulary() == Cedict(None, Cedict.load().source).english_vocabulary
    reader = FolderReader.open(seed_index_dir)
    fresh = RegionTable.from_metadata(d.meta for d in reader.documents.values())
    kept = Snapshot.of(reader).regions
    for name in ("regions", "parents"):
        assert getattr(kept, name) == getattr(fresh, name)
    assert kept._zh == fresh._zh and kept._keys == fresh._keys


def test_chunk_documents_come_from_one_row_per_document(seed_index_dir, tmp_path):
    """Opening reads each document's chunk range, not every chunk; an index
    whose chunks interleave (no writer does that) is read chunk by chunk."""
    import shutil
    import sqlite3

    def by_chunk(reader):
        number = {d: i for i, d in enumerate(reader.documents)}
        return np.array([number[r["doc_id"]] for r in reader._query("SELECT doc_id FROM chunks ORDER BY chunk_id")])

    reader = IndexReader.open(seed_index_dir)
    assert len(set(reader.chunk_doc.tolist())) == len(reader.documents) > 1
    assert np.array_equal(reader.chunk_doc, by_chunk(reader))
    copy = tmp_path / "gen"
    shutil.copytree(reader.path, copy)
    con = sqlite3.connect(copy / "meta.sqlite")
    with con:  # the second chunk now belongs to the last document
        last = con.execute("SELECT doc_id FROM chunks ORDER BY chunk_id DESC LIMIT 1").fetchone()[0]
        con.execute("UPDATE chunks SET doc_id = ? WHERE chunk_id = 1", (last,))
    con.close()
    interleaved = IndexReader(copy)
    assert np.array_equal(interleaved.chunk_doc, by_chunk(interleaved))
    assert interleaved.doc_ids[interleaved.chunk_doc[1]] == last != interleaved.doc_ids[interleaved.chunk_doc[2]]


def test_fuzzy_keys_find_exactly_the_keys_one_edit_away():
    """Spellings one edit from the word, looked up in the key set, are every key
    within one edit (as comparing with each key finds them)."""
    from retrieval.places.spelling import FuzzyKeys, edit_distance
    from retrieval.query.cedict import english_vocabulary

    keys = sorted(w for w in english_vocabulary() if len(w) >= 4)[::7] + ["xi'an", "lüliang", "dongan"]
    fuzzy = FuzzyKeys(keys)
    rng = random.Random(3)
    words = [w for w in keys[::40]] + ["xian", "luliang", "dongna", "fnes", "hazrds", "q", ""]
    for w in keys[::25]:  # one random typo each: dropped, doubled, swapped or replaced letters
        i = rng.randrange(len(w))
        words += [w[:i] + w[i + 1:], w[:i] + w[i] + w[i:], w[:i] + "z" + w[i + 1:], w[:i] + w[i + 1:i + 2] + w[i] + w[i + 2:]]
    for word in words:
        expected = sorted((edit_distance(word, k, 1), k) for k in keys if edit_distance(word, k, 1) <= 1)
        assert fuzzy.near(word) == [k for _, k in expected], word


def test_cedict_headwords_read_from_disk_equal_the_parsed_dictionary():
    from retrieval.query.cedict import Cedict, _CEDICT_LINE

    kept = Cedict(None, Cedict.load().source)  # lookups from the table kept on disk
    parsed = Cedict(_CEDICT_LINE.findall(kept.source.read_text(encoding="utf-8")), kept.source)
    rng = random.Random(5)
    for row in rng.sample(parsed.rows, 400) + [("", "金华", "", ""), ("", "不是词语吧", "", "")]:
        assert kept.lookup(row[1]) == parsed.lookup(row[1]), row[1]
    assert kept._rows is None  # it never parsed the file
