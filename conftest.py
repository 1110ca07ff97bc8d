"""Collection of the docstring examples (``--doctest-modules`` over retrieval/, bot/,
embeddings/, see pyproject.toml): a module whose optional dependency is not
installed is left out of collection instead of failing it."""
from __future__ import annotations

import importlib.util

OPTIONAL_DEPENDENCIES = {  # module glob -> the package it needs at import time
    "bot/telegram*": "telegram",
    "bot/telegram/*": "telegram",
}

collect_ignore_glob = [glob for glob, package in OPTIONAL_DEPENDENCIES.items()
                       if importlib.util.find_spec(package) is None]
