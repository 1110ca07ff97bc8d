"""Running the bot: what ``govqa bot`` calls.

1. ``run_bot(settings)``: checks the token, opens the index, builds the
   application and runs it until Ctrl-C / SIGTERM;
2. ``build_application(engine, settings)``: the python-telegram-bot
   ``Application`` with every handler installed (also used by the tests).
"""
from __future__ import annotations

import asyncio
import importlib.util
import logging
import secrets
import signal
import sys
from pathlib import Path
from typing import Sequence
from urllib.parse import urlparse

from telegram import Bot, BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from retrieval import Settings

from .handlers import ANYONE, EngineLike, GovqaBot
from .texts import COMMANDS

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
ALLOWED_UPDATES = ["message", "callback_query"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


# --------------------------------------------------------------------------
# 1. Running the bot
# --------------------------------------------------------------------------


def run_bot(
    settings: Settings,
    *,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
) -> int:
    """Run the bot until Ctrl-C / SIGTERM; return the process exit code.

    Long polling by default; with ``webhook_url`` (the public HTTPS address
    Telegram should POST to) a plain-HTTP webhook server listens on
    ``listen:port`` behind the TLS reverse proxy that owns that address.
    Returns 2 with a one-line message on stderr when the token is missing or
    rejected, the index is missing, or webhook mode is unavailable; 1 when the
    Bot API cannot be reached.
    """
    problem = _config_problem(settings, webhook_url)
    if problem:
        return _fail(problem, EXIT_CONFIG)
    try:
        asyncio.run(check_token(settings))  # before the slow model load
        engine = open_engine(settings)
        serve(build_application(engine, settings), webhook_url=webhook_url, listen=listen, port=port)
    except InvalidToken as exc:
        return _fail(f"Telegram rejected the bot token ({exc}); get a valid one from @BotFather", EXIT_CONFIG)
    except TelegramError as exc:
        return _fail(f"cannot reach the Bot API at {settings.telegram_base_url}: {exc}", EXIT_FAILED)
    except FileNotFoundError as exc:
        hint = "" if "govqa index build" in str(exc) else " (run `govqa index build --docs seeds/` first)"
        return _fail(f"{exc}{hint}", EXIT_CONFIG)
    except (RuntimeError, ValueError) as exc:  # another model, Milvus unreachable, a bad GOVQA_BACKEND
        return _fail(str(exc), EXIT_CONFIG)
    logger.info("bot stopped")
    return EXIT_OK


def serve(
    application: Application,
    *,
    webhook_url: str | None = None,
    listen: str = "127.0.0.1",
    port: int = 8443,
    stop_signals: Sequence[int] | None = STOP_SIGNALS,
    poll_timeout: float = 10.0,
) -> None:
    """Run ``application`` (polling or webhook) until stopped, then shut down.

    Ctrl-C / SIGTERM stop it cleanly. Pass ``stop_signals=None`` when running
    outside the main thread (tests) and stop with ``application.stop_running()``.
    """
    signals = {"stop_signals": stop_signals}
    if webhook_url:
        application.run_webhook(
            listen=listen,
            port=port,
            url_path=urlparse(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=secrets.token_urlsafe(32),
            allowed_updates=ALLOWED_UPDATES,
            **signals,
        )
    else:
        application.run_polling(timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES, **signals)


async def check_token(settings: Settings) -> None:
    """Ask the Bot API who we are: raises ``InvalidToken`` or ``NetworkError``."""
    async with Bot(settings.telegram_token, base_url=settings.telegram_base_url) as bot:
        logger.info("logged in as @%s", bot.username)


def _config_problem(settings: Settings, webhook_url: str | None) -> str | None:
    if not settings.telegram_token.strip():
        return "TELEGRAM_BOT_TOKEN is not set; create a bot with @BotFather and export its token"
    problem = allowlist_problem(settings)
    if problem:
        return problem
    if webhook_url and importlib.util.find_spec("tornado") is None:
        return "webhook mode needs: pip install 'python-telegram-bot[webhooks]==22.8'"
    if webhook_url and not webhook_url.startswith("https://"):
        return f"--webhook-url must be an https:// address Telegram can reach, got {webhook_url!r}"
    return None


def allowlist_problem(settings: Settings) -> str | None:
    """Fail closed: who may ask must be said, as user ids or ``*`` for anyone;
    an unset list, a typo, or a list of nothing (``","``) never opens the bot."""
    allowed = settings.allowed_users.strip()
    for name in ("allowed_users", "admin_users"):
        raw = getattr(settings, name)
        bad = [] if name == "allowed_users" and allowed == ANYONE else malformed_ids(raw)
        if bad:  # a typo must not open the bot to everyone
            return f"GOVQA_{name.upper()} holds entries that are not Telegram user ids: {', '.join(bad)}"
    if allowed == ANYONE:
        return None
    what = "is not set" if not settings.allowed_users else f"holds no user id ({settings.allowed_users!r})"
    if not settings.user_ids("allowed_users"):
        return (f"GOVQA_ALLOWED_USERS {what}: list the Telegram user ids that may ask, comma-separated, "
                f"or set it to {ANYONE} to answer anyone")
    return None


def malformed_ids(raw: str) -> list[str]:
    """Entries of a comma-separated id list that are not integers."""
    entries = [x.strip() for x in raw.replace(";", ",").split(",") if x.strip()]
    return [x for x in entries if not x.lstrip("-").isdigit()]


def open_engine(settings: Settings) -> EngineLike:
    from retrieval import Engine  # imported late: loads the model stack

    return Engine.open(settings.index, settings)


def _fail(message: str, code: int) -> int:
    print(f"govqa bot: {message}", file=sys.stderr)
    return code


# --------------------------------------------------------------------------
# 2. The application
# --------------------------------------------------------------------------


def build_application(engine: EngineLike, settings: Settings) -> Application:
    """A python-telegram-bot ``Application`` with all govqa handlers installed.

    Updates are handled concurrently (one slow question never blocks other
    chats); messages from one chat are still answered in order.
    """
    application = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(True)
        .post_init(register_commands)
        .build()
    )
    GovqaBot(engine, settings).install(application)
    return application



async def register_commands(application: Application) -> None:
    """Register the command menu (English default, Chinese for zh users)."""
    try:
        await application.bot.set_my_commands([BotCommand(*c) for c in COMMANDS["en"]])
        await application.bot.set_my_commands(
            [BotCommand(*c) for c in COMMANDS["zh"]], language_code="zh"
        )
    except TelegramError as exc:  # a menu is nice to have, not a reason to stop
        logger.warning("could not register the command menu: %s", exc)



def cold_start_command(index: Path, question: str) -> list[str]:
    """A process that starts the bot as ``govqa bot`` does (engine opened,
    application built, no network) and prints one answer: what ``govqa
    bench`` times as the bot's cold start."""
    return [sys.executable, "-c", (
        "from bot.telegram.app import build_application, open_engine; from retrieval import Settings; "
        f"s = Settings.from_env().with_overrides(index={str(index)!r}, telegram_token='1:bench'); "
        "e = open_engine(s); build_application(e, s); "
        f"print(e.ask({question!r}).answer)")]
