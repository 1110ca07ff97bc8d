"""Old import path, kept for one release: the code is in ``retrieval.index.indexer``."""
from .index.indexer import *  # noqa: F401,F403
