"""The layout holds: old import paths still work (for one release), modules stay
small, data flows one way, and the front-ends use only what ``retrieval`` exports."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400

# (old module, old name, new module, new name): the same object under both names.
OLD_PATHS = [
    ("retrieval.textnorm", n, "retrieval.text.normalise", n)
    for n in ("normalize", "squash", "find_years", "cn_to_number", "replace_cn_numerals", "parse_date",
              "fold_width", "to_simplified")
] + [
    ("retrieval.chunking", n, "retrieval.ingest.chunking", n)
    for n in ("chunk_document", "heading_level", "heading_label", "sentence_windows", "HEADING_PATTERNS")
] + [
    ("retrieval.chunking", n, "retrieval.text.sentences", n) for n in ("split_sentences", "sentence_spans", "SENTENCE_END")
] + [
    ("retrieval.metadata", n, "retrieval.ingest.metadata", n)
    for n in ("extract_metadata", "find_title", "find_issuer", "find_region", "split_places", "find_year",
              "find_doc_type", "find_publish_date", "find_doc_number", "DOC_TYPES")
] + [
    ("retrieval.metadata", "place_level", "retrieval.text.lexicon", "place_level"),
    ("retrieval.ingest", "IngestError", "retrieval.ingest.errors", "IngestError"),
    ("retrieval.ingest", "SkippedFile", "retrieval.ingest.errors", "SkippedFile"),
    ("retrieval.ingest", "read_text", "retrieval.ingest.read", "read_text"),
    ("retrieval.ingest", "SUPPORTED_SUFFIXES", "retrieval.ingest.read", "SUPPORTED_SUFFIXES"),
    ("retrieval.ingest", "markdown_to_text", "retrieval.ingest.plain", "markdown_to_text"),
    ("retrieval.ingest", "html_to_text", "retrieval.ingest.html", "html_to_text"),
    ("retrieval.ingest", "prepare_text", "retrieval.ingest.clean", "prepare_text"),
    ("retrieval.ingest", "clean_text", "retrieval.ingest.clean", "clean_text"),
    ("retrieval.ingest", "is_furniture", "retrieval.ingest.clean", "is_furniture"),
    ("retrieval.ingest", "load_documents", "retrieval.ingest.load", "load_documents"),
    ("retrieval.ingest", "make_document", "retrieval.ingest.load", "make_document"),
    ("retrieval.ingest", "document_id", "retrieval.ingest.load", "document_id"),
    ("retrieval.keyword", "KeywordIndex", "retrieval.index.keyword", "KeywordIndex"),
    ("retrieval.keyword", "tokenize", "retrieval.text.tokenize", "tokenize"),
    ("retrieval.keyword", "add_words", "retrieval.text.tokenize", "add_words"),
    ("retrieval.keyword", "STOPWORDS", "retrieval.text.lexicon", "KEYWORD_STOPWORDS"),
] + [
    ("retrieval.store", n, "retrieval.index.store", n)
    for n in ("IndexReader", "write_generation", "current_generation", "read_manifest", "publish", "WriterLock",
              "IndexMissingError", "IndexLockedError", "ModelMismatchError", "new_generation_dir", "FORMAT_VERSION")
] + [
    ("retrieval.faiss_index", n, "retrieval.index.dense", n) for n in ("DenseIndex", "choose", "FLAT_MAX_CHUNKS")
] + [
    ("retrieval.faiss_index", "write", "retrieval.index.dense", "write_dense"),
    ("retrieval.indexer", "build_index", "retrieval.index.indexer", "build_index"),
    ("retrieval.indexer", "add_documents", "retrieval.index.indexer", "add_documents"),
    ("retrieval.indexer", "remove_documents", "retrieval.index.indexer", "remove_documents"),
    ("retrieval.indexer", "ChangeReport", "retrieval.index.indexer", "ChangeReport"),
    ("retrieval.verify", "verify", "retrieval.index.verify", "verify"),
    ("retrieval.facts", "Fact", "retrieval.index.facts", "Fact"),
    ("retrieval.facts", "Report", "retrieval.index.facts", "Report"),
    ("retrieval.facts", "extract_facts", "retrieval.index.facts", "extract_facts"),
    ("retrieval.facts", "sentence_facts", "retrieval.index.facts", "sentence_facts"),
    ("retrieval.facts", "scope_of", "retrieval.index.facts", "scope_of"),
    ("retrieval.facts", "FactStore", "retrieval.index.fact_store", "FactStore"),
    ("retrieval.facts", "for_reader", "retrieval.index.fact_store", "for_reader"),
    ("retrieval.facts", "write_facts", "retrieval.index.fact_store", "write_facts"),
    ("retrieval.facts", "FACTS_FILE", "retrieval.index.fact_store", "FACTS_FILE"),
    ("retrieval.facts", "select", "retrieval.query.measures", "select"),
    ("retrieval.facts", "resolve_measure", "retrieval.query.measures", "resolve_measure"),
    ("retrieval.facts", "question_measures", "retrieval.query.measures", "question_measures"),
    ("retrieval.query", "parse_question", "retrieval.query.parse", "parse_question"),
    ("retrieval.query", "Query", "retrieval.query.parse", "Query"),
    ("retrieval.query", "QuestionError", "retrieval.query.parse", "QuestionError"),
    ("retrieval.query", "RegionTable", "retrieval.query.regions", "RegionTable"),
    ("retrieval.query", "pinyin_keys", "retrieval.query.regions", "pinyin_keys"),
    ("retrieval.query", "find_place_mentions", "retrieval.query.places", "find_place_mentions"),
    ("retrieval.query", "Gazetteer", "retrieval.query.gazetteer", "Gazetteer"),
    ("retrieval.query", "domain_words", "retrieval.text.tokenize", "domain_words"),
    ("retrieval.query", "short_name", "retrieval.text.lexicon", "short_name"),
    ("retrieval.query", "ADMIN_SUFFIXES", "retrieval.text.lexicon", "ADMIN_SUFFIXES"),
    ("retrieval.query", "MAX_QUESTION_CHARS", "retrieval.text.lexicon", "MAX_QUESTION_CHARS"),
    ("retrieval.query", "ZH_STOPWORDS", "retrieval.text.lexicon", "QUESTION_STOPWORDS"),
    ("retrieval.glossary", "Glossary", "retrieval.query.glossary", "Glossary"),
    ("retrieval.glossary", "TermMatch", "retrieval.query.glossary", "TermMatch"),
    ("retrieval.glossary", "lemmatize", "retrieval.query.glossary", "lemmatize"),
    ("retrieval.glossary", "english_words", "retrieval.query.glossary", "english_words"),
    ("retrieval.glossary", "Cedict", "retrieval.query.cedict", "Cedict"),
    ("retrieval.glossary", "build_reverse_index", "retrieval.query.cedict", "build_reverse_index"),
    ("retrieval.glossary", "GLOSSARY_PATH", "retrieval.text.lexicon", "GLOSSARY_PATH"),
    ("retrieval.glossary", "read_glossary_file", "retrieval.text.lexicon", "read_glossary_file"),
    ("retrieval.glossary", "STOPWORDS", "retrieval.text.lexicon", "EN_STOPWORDS"),
    ("retrieval.search", "rank", "retrieval.rank.search", "rank"),
    ("retrieval.search", "SearchRequest", "retrieval.rank.search", "SearchRequest"),
    ("retrieval.search", "doc_mask_for", "retrieval.rank.search", "doc_mask_for"),
    ("retrieval.answer", "extract", "retrieval.answer.extract", "extract"),
    ("retrieval.answer", "Concept", "retrieval.answer.extract", "Concept"),
    ("retrieval.answer", "weight_concepts", "retrieval.answer.extract", "weight_concepts"),
    ("retrieval.answer", "metadata_question", "retrieval.answer.report_fields", "metadata_question"),
    ("retrieval.answer", "MIN_COVERAGE", "retrieval.answer.extract", "MIN_COVERAGE"),
    ("retrieval.answer", "split_clauses", "retrieval.text.sentences", "split_clauses"),
    ("retrieval.answer", "MAX_ANSWER_CHARS", "retrieval.text.lexicon", "MAX_ANSWER_CHARS"),
    ("retrieval.figures", "find_figures", "retrieval.text.figures", "find_figures"),
    ("retrieval.figures", "to_base", "retrieval.text.units", "to_base"),
    ("retrieval.figures", "unit_info", "retrieval.text.units", "unit_info"),
    ("retrieval.figures", "classify_measure", "retrieval.text.units", "classify_measure"),
    ("retrieval.figures", "measures", "retrieval.text.units", "measures"),
    ("retrieval.figures", "english_value", "retrieval.answer.english", "english_value"),
    ("retrieval.figures", "describe_figure_en", "retrieval.answer.english", "describe_figure_en"),
    ("retrieval.english", "english_line", "retrieval.answer.english", "english_line"),
    ("retrieval.english", "region_english", "retrieval.query.regions", "place_english"),
    ("retrieval.compare", "plan", "retrieval.query.plan", "plan"),
    ("retrieval.compare", "Request", "retrieval.query.plan", "Request"),
    ("retrieval.compare", "answer", "retrieval.answer.compare", "answer"),
    ("retrieval.compare", "compare", "retrieval.answer.compare", "compare"),
    ("retrieval.compare", "chart_png", "retrieval.answer.compare", "chart_png"),
    ("retrieval.compare", "Row", "retrieval.answer.compare", "ComparisonRow"),
    ("retrieval.chart", "bar_chart", "retrieval.answer.chart", "bar_chart"),
    ("retrieval.evaluation", "run", "retrieval.dev.evaluation", "run"),
    ("retrieval.evaluation", "score_one", "retrieval.dev.evaluation", "score_one"),
    ("retrieval.evaluation", "Report", "retrieval.dev.evaluation", "Scores"),
    ("retrieval.bench", "BenchConfig", "retrieval.dev.bench", "BenchConfig"),
    ("retrieval.bench", "Row", "retrieval.dev.bench", "BenchRow"),
    ("retrieval", "Engine", "retrieval.engine", "Engine"),
    ("retrieval", "QuestionError", "retrieval.query.parse", "QuestionError"),
    ("retrieval", "build_index", "retrieval.index.indexer", "build_index"),
    ("bot.telegram_bot", "run_bot", "bot.telegram.app", "run_bot"),
    ("bot.telegram_bot", "serve", "bot.telegram.app", "serve"),
    ("bot.telegram_bot", "build_application", "bot.telegram.app", "build_application"),
    ("bot.telegram_bot", "_open_engine", "bot.telegram.app", "open_engine"),
    ("bot.telegram_bot", "GovqaBot", "bot.telegram.handlers", "GovqaBot"),
    ("bot.telegram_bot", "format_answer", "bot.telegram.format", "format_answer"),
    ("bot.telegram_bot", "english_place", "bot.telegram.format", "english_place"),
    ("bot.telegram_bot", "TEXTS", "bot.telegram.texts", "TEXTS"),
    ("bot.telegram_bot", "split_message", "bot.telegram.limits", "split_message"),
    ("bot.telegram_bot", "RateLimiter", "bot.telegram.limits", "RateLimiter"),
]


@pytest.mark.parametrize("old_module, old_name, new_module, new_name", OLD_PATHS,
                         ids=[f"{m}.{n}" for m, n, _, _ in OLD_PATHS])
def test_old_import_paths_still_work(old_module, old_name, new_module, new_name):
    old = getattr(importlib.import_module(old_module), old_name)
    assert old is getattr(importlib.import_module(new_module), new_name)


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (PROJECT / folder).rglob("*.py"))


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(PROJECT)): n for p in _modules("retrieval", "bot")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(absolute module, names) of every import in ``path`` (relative imports resolved)."""
    package = ".".join(path.relative_to(PROJECT).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            out.append((module, [alias.name for alias in node.names]))
    return out


def test_bot_uses_only_what_retrieval_exports():
    import retrieval

    for path in _modules("bot"):
        for module, names in _imports(path):
            if module.split(".")[0] != "retrieval":
                continue
            where = str(path.relative_to(PROJECT))
            assert module == "retrieval", f"{where} imports {module}"
            assert set(names) <= set(retrieval.__all__), f"{where}: {set(names) - set(retrieval.__all__)}"


# Data flow: a package imports only packages at its level or before it.
FLOW = ["text", "places", "ingest", "index", "query", "rank", "answer", "engine", "dev"]
SHARED = {"records", "settings"}  # plain records and the settings object: used at every level


def _level(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "retrieval" or len(parts) < 2 or parts[1] in SHARED:
        return None
    return FLOW.index(parts[1]) if parts[1] in FLOW else None


def test_nothing_imports_upwards():
    problems = []
    for path in _modules("retrieval"):
        own = _level(".".join(path.relative_to(PROJECT).with_suffix("").parts))
        if own is None:
            continue  # records, settings, the old-path modules
        for module, names in _imports(path):
            targets = [module] + [f"{module}.{n}" for n in names]  # "from .. import x" may name a package
            for target in targets:
                level = _level(target)
                if level is not None and level > own:
                    problems.append(f"{path.relative_to(PROJECT)} imports {target}")
                    break
    assert problems == []


def test_embeddings_imports_nothing_of_ours():
    for path in _modules("embeddings"):
        assert not [m for m, _ in _imports(path) if m.split(".")[0] in ("retrieval", "bot")], path


@pytest.mark.parametrize("package", ["retrieval/text", "retrieval/places", "retrieval/ingest", "retrieval/index", "retrieval/query",
                                     "retrieval/rank", "retrieval/answer", "retrieval/dev", "bot", "bot/telegram",
                                     "embeddings"])
def test_each_package_says_what_it_owns_takes_and_hands_on(package):
    doc = ast.get_docstring(ast.parse((PROJECT / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert all(word in doc for word in ("Owns", "Takes in", "Hands on")), package
