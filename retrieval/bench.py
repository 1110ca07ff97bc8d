"""Old import path, kept for one release: the code is in ``retrieval.dev.bench``."""
import sys

from .dev.bench import *  # noqa: F401,F403
from .dev.bench import BenchRow as Row  # noqa: F401

if __name__ == "__main__":  # the old worker command line: python -m retrieval.bench query ROOT
    from .dev.bench_worker import _worker_main

    sys.exit(_worker_main(sys.argv[1:]))
