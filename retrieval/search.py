"""Old import path, kept for one release: the code is in ``retrieval.rank.search``."""
from .rank.search import *  # noqa: F401,F403
