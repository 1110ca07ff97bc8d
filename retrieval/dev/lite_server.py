"""A Milvus Lite server on 127.0.0.1: the network protocol a Milvus cluster
speaks (``GOVQA_MILVUS_URI=http://127.0.0.1:PORT``), served from one Lite file,
so that several processes share one index on this machine. Used by the
tests and ``govqa bench --backend milvus``; a real deployment runs Milvus
itself (README "Scaling out").

>>> server = LiteServer(Path("/tmp/x/govqa.db")).start()     # doctest: +SKIP
>>> server.uri                                               # doctest: +SKIP
'http://127.0.0.1:40123'
"""
from __future__ import annotations

import os
import signal
import socket
import time
import warnings
from contextlib import suppress
from pathlib import Path

START_SECONDS = 30.0  # the server answers within ~0.5 s; a loaded machine may need more
LITE_TOKEN = "root:Milvus"  # Milvus's default user, which the Lite server accepts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiteServer:
    """milvus-lite's server binary serving ``db`` on 127.0.0.1:``port``."""

    def __init__(self, db: Path, port: int | None = None):
        self.db, self.port = Path(db), port or free_port()
        self._server = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self._server._p.pid  # the milvus process itself

    def start(self) -> "LiteServer":
        with warnings.catch_warnings():  # milvus_lite imports pkg_resources, which warns
            warnings.simplefilter("ignore")
            from milvus_lite.server import Server

        self.db.parent.mkdir(parents=True, exist_ok=True)
        self._server = Server(str(self.db), address=f"127.0.0.1:{self.port}")
        if not self._server.start():
            raise RuntimeError(f"the Milvus Lite server did not start for {self.db} (is the file in use?)")
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the Milvus Lite server is not listening on {self.uri}")

    def rss_mb(self) -> float:
        """Resident memory of the server process, MB (Linux)."""
        with open(f"/proc/{self.pid}/status", encoding="ascii") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024

    def kill(self) -> None:
        """SIGKILL, as a crash: no chance to flush or say goodbye."""
        os.kill(self.pid, signal.SIGKILL)
        self._server._p.wait()
        self.stop()

    def stop(self) -> None:
        """SIGTERM, then milvus_lite's own stop (which waits 2 s before a SIGKILL)."""
        if self._server is not None:
            if self._server._p is not None and self._server._p.poll() is None:
                self._server._p.terminate()
            self._server.stop()
            self._server = None

    def __enter__(self) -> "LiteServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
