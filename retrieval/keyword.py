"""Old import path, kept for one release: BM25 is ``retrieval.index.keyword``,
tokens ``retrieval.text.tokenize``."""
from .index.keyword import *  # noqa: F401,F403
from .text.lexicon import KEYWORD_STOPWORDS as STOPWORDS  # noqa: F401
from .text.tokenize import add_words, tokenize  # noqa: F401
