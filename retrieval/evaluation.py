"""Old import path, kept for one release: the code is in ``retrieval.dev.evaluation``."""
from .dev.evaluation import *  # noqa: F401,F403
from .dev.evaluation import Scores as Report  # noqa: F401
