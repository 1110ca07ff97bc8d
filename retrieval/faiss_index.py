"""Old import path, kept for one release: the code is in ``retrieval.index.dense``."""
from .index.dense import *  # noqa: F401,F403
from .index.dense import write_dense as write  # noqa: F401
