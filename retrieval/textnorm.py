"""Old import path, kept for one release: the code is in ``retrieval.text.normalise``."""
from .text.normalise import *  # noqa: F401,F403
