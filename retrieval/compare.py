"""Old import path, kept for one release: comparisons are planned in
``retrieval.query.plan`` and answered in ``retrieval.answer.compare``."""
from .answer.compare import *  # noqa: F401,F403
from .answer.compare import ComparisonRow as Row  # noqa: F401
