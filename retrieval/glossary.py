"""Old import path, kept for one release: the glossary is ``retrieval.query.glossary``,
CC-CEDICT ``retrieval.query.cedict``, the word lists ``retrieval.text.lexicon``."""
from .query.cedict import *  # noqa: F401,F403
from .query.glossary import *  # noqa: F401,F403
from .text.lexicon import EN_STOPWORDS as STOPWORDS  # noqa: F401
from .text.lexicon import GLOSSARY_PATH, MONTHS, QUESTION_WORDS, read_glossary_file  # noqa: F401
from .query.cedict import CedictRow as Row  # noqa: F401
