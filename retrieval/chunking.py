"""Old import path, kept for one release: the code is in ``retrieval.ingest.chunking``."""
from .ingest.chunking import *  # noqa: F401,F403
