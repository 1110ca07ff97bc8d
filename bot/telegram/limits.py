"""Telegram's limits and ours: message length (split at paragraph
boundaries), questions per user per minute, and the counters of /stats."""
from __future__ import annotations

import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from telegram.constants import MessageLimit

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096


def telegram_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split ``text`` into messages of at most ``limit`` characters.

    Splits at paragraph boundaries (blank lines) first, then at line breaks,
    and only cuts inside a line that alone is too long - never inside an HTML
    tag or entity. Markup in this module wraps short spans only, so paragraph
    splits keep every message's tags balanced.
    """
    if telegram_len(text) <= limit:
        return [text]
    parts: list[str] = []
    for paragraph in _pack(text.split("\n\n"), "\n\n", limit):
        if telegram_len(paragraph) <= limit:
            parts.append(paragraph)
            continue
        for block in _pack(paragraph.split("\n"), "\n", limit):
            parts.extend([block] if telegram_len(block) <= limit else _hard_split(block, limit))
    return [p for p in parts if p.strip()]


def _pack(pieces: list[str], joiner: str, limit: int) -> list[str]:
    """Join consecutive pieces with ``joiner`` while they fit in ``limit``."""
    packed: list[str] = []
    for piece in pieces:
        candidate = f"{packed[-1]}{joiner}{piece}" if packed else piece
        if packed and telegram_len(candidate) <= limit:
            packed[-1] = candidate
        else:
            packed.append(piece)
    return packed


def _hard_split(line: str, limit: int) -> list[str]:
    """Cut an over-long line, preferring sentence ends and spaces, never inside <tag> or &entity;."""
    pieces = []
    while telegram_len(line) > limit:
        cut = _safe_cut(line, limit)
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    return pieces + ([line] if line else [])


def _safe_cut(line: str, limit: int) -> int:
    end = limit
    while telegram_len(line[:end]) > limit:  # astral characters count twice
        end -= 1
    window = line[:end]
    for marks in ("。!?;.!?;", ",, "):
        best = max(window.rfind(m) for m in marks)
        if best > end // 2:
            end = best + 1
            break
    # Step back out of an unfinished tag or entity.
    lt, amp = line.rfind("<", 0, end), line.rfind("&", 0, end)
    if lt > line.rfind(">", 0, end):
        end = lt
    if amp > line.rfind(";", 0, end) and end - amp < 10:
        end = amp
    return max(end, 1)


class RateLimiter:
    """At most ``limit`` questions per user in any ``window`` seconds (0 = no limit)."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._times: dict[int, deque[float]] = {}

    def check(self, user_id: int) -> float:
        """Record a question; return 0 if allowed, else seconds until the next is."""
        if self.limit <= 0:
            return 0.0
        now = self.clock()
        times = self._times.setdefault(user_id, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return times[0] + self.window - now
        times.append(now)
        return 0.0


@dataclass
class BotStats:
    """Counters since start, for /stats."""

    clock: Callable[[], float] = time.monotonic
    answered: int = 0
    refused: int = 0
    rate_limited: int = 0
    errors: int = 0
    latencies_s: list[float] = field(default_factory=list)
    started: float = field(default=0.0)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def record(self, answered: bool, seconds: float) -> None:
        if answered:
            self.answered += 1
        else:
            self.refused += 1
        self.latencies_s.append(seconds)

    def p50_ms(self) -> float | None:
        return statistics.median(self.latencies_s) * 1000 if self.latencies_s else None

    def uptime_s(self) -> float:
        return self.clock() - self.started
