"""Old import path, kept for one release: the code is in ``retrieval.ingest.metadata``."""
from .ingest.metadata import *  # noqa: F401,F403
