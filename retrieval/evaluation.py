"""Old import path, kept for one release: the code is in ``retrieval.dev.evaluation``."""
from .dev.evaluation import *  # noqa: F401,F403
