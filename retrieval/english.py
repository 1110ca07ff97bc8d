"""Old import path, kept for one release: the code is in ``retrieval.answer.english``."""
from .answer.english import *  # noqa: F401,F403
from .query.regions import place_english as region_english  # noqa: F401
