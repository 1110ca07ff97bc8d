"""Old import path, kept for one release: the code is in ``retrieval.index.store``."""
from .index.store import *  # noqa: F401,F403
