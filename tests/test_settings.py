"""One settings object, read once: every GOVQA_* value goes through retrieval.settings."""
from __future__ import annotations

import re
from pathlib import Path

from retrieval.settings import Settings

PROJECT = Path(__file__).resolve().parent.parent
READS_GOVQA_ENV = re.compile(r"""(?:environ(?:\.get)?\(|environ\[|getenv\()\s*["']GOVQA_""")


def test_cache_dir_is_a_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVQA_CACHE_DIR", str(tmp_path / "cache"))
    assert Settings.from_env().cache_dir == tmp_path / "cache"
    monkeypatch.delenv("GOVQA_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings.from_env().cache_dir == tmp_path / "xdg" / "govqa"


def test_cedict_cache_goes_where_the_setting_says(monkeypatch, tmp_path):
    from retrieval.query.cedict import _cache_file, cedict_path

    monkeypatch.setenv("GOVQA_CACHE_DIR", str(tmp_path))
    assert _cache_file(cedict_path()).parent == tmp_path


def test_only_settings_reads_govqa_variables():
    """No module but retrieval/settings.py reads a GOVQA_* variable itself."""
    readers = [str(p.relative_to(PROJECT)) for folder in ("retrieval", "bot", "embeddings")
               for p in sorted((PROJECT / folder).rglob("*.py"))
               if p.name != "settings.py" and READS_GOVQA_ENV.search(p.read_text(encoding="utf-8"))]
    assert readers == []


def test_default_index_is_the_current_folders(monkeypatch, tmp_path):
    monkeypatch.delenv("GOVQA_INDEX", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env().index == tmp_path / "index"  # README and --help: ./index
