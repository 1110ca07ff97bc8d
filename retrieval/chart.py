"""Old import path, kept for one release: the code is in ``retrieval.answer.chart``."""
from .answer.chart import *  # noqa: F401,F403
