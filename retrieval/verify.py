"""Old import path, kept for one release: the code is in ``retrieval.index.verify``."""
from .index.verify import *  # noqa: F401,F403
