"""Telegram front-end: staff ask in chat and get the figure, the sentence and the source.

This module is a thin layer over the engine: it turns Telegram updates into
``engine.ask`` calls and answers into HTML messages. It holds no retrieval
logic. Reading order:

1. ``run_bot(settings)`` - what ``govqa bot`` calls: checks the token, opens the
   index, builds the application and runs it until Ctrl-C / SIGTERM.
2. ``build_application(engine, settings)`` - the python-telegram-bot
   ``Application`` with every handler installed (also used by the tests).
3. ``GovqaBot`` - the handlers: commands, questions, buttons, access, errors.
4. Message formatting - pure functions from records to Telegram HTML.
5. Small helpers: rate limiter, statistics, message splitting.

Every piece of document text is escaped with ``html.escape``; replies longer
than Telegram's 4096-character limit are split at paragraph boundaries.
"""
from __future__ import annotations

import asyncio
import html
import importlib.util
import logging
import re
import secrets
import signal
import statistics
import sys
import time
from collections import OrderedDict, deque
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, Protocol, Sequence
from urllib.parse import urlparse

from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, MessageLimit, ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from retrieval.records import Answer, Hit
from retrieval.settings import Settings

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
PASSAGES_PER_PAGE = 3  # "More passages" shows this many at a time
SOURCES_PER_PAGE = 10  # /sources page size
ANSWERS_KEPT_PER_CHAT = 20  # answers whose buttons still work
TYPING_REFRESH_S = 4.0  # Telegram shows "typing..." for about 5 s
ALLOWED_UPDATES = ["message", "callback_query"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


class EngineLike(Protocol):
    """The part of ``retrieval.Engine`` the bot uses."""

    def ask(self, question: str, context: dict | None = None) -> Answer: ...

    def sources(self) -> list[dict]: ...

    def reload(self) -> bool: ...

    def chart_for(self, answer: Answer) -> bytes | None: ...


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
        engine = _open_engine(settings)
        serve(build_application(engine, settings), webhook_url=webhook_url, listen=listen, port=port)
    except InvalidToken as exc:
        return _fail(f"Telegram rejected the bot token ({exc}); get a valid one from @BotFather", EXIT_CONFIG)
    except TelegramError as exc:
        return _fail(f"cannot reach the Bot API at {settings.telegram_base_url}: {exc}", EXIT_FAILED)
    except FileNotFoundError as exc:
        hint = "" if "govqa index build" in str(exc) else " (run `govqa index build --docs seeds/` first)"
        return _fail(f"{exc}{hint}", EXIT_CONFIG)
    except RuntimeError as exc:  # e.g. the index was built with another model
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
    for name in ("allowed_users", "admin_users"):
        bad = malformed_ids(getattr(settings, name))
        if bad:  # fail closed: a typo must not open the bot to everyone
            return f"GOVQA_{name.upper()} holds entries that are not Telegram user ids: {', '.join(bad)}"
    if webhook_url and importlib.util.find_spec("tornado") is None:
        return "webhook mode needs: pip install 'python-telegram-bot[webhooks]==22.8'"
    if webhook_url and not webhook_url.startswith("https://"):
        return f"--webhook-url must be an https:// address Telegram can reach, got {webhook_url!r}"
    return None


def malformed_ids(raw: str) -> list[str]:
    """Entries of a comma-separated id list that are not integers."""
    entries = [x.strip() for x in raw.replace(";", ",").split(",") if x.strip()]
    return [x for x in entries if not x.lstrip("-").isdigit()]


def _open_engine(settings: Settings) -> EngineLike:
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


COMMANDS = {
    "en": [
        ("start", "What I know and how to ask"),
        ("help", "How to ask, with examples"),
        ("sources", "The indexed reports"),
        ("reset", "Forget the conversation context"),
    ],
    "zh": [
        ("start", "介绍与示例"),
        ("help", "使用说明与示例"),
        ("sources", "已收录的报告"),
        ("reset", "清除对话上下文"),
    ],
}


async def register_commands(application: Application) -> None:
    """Register the command menu (English default, Chinese for zh users)."""
    try:
        await application.bot.set_my_commands([BotCommand(*c) for c in COMMANDS["en"]])
        await application.bot.set_my_commands(
            [BotCommand(*c) for c in COMMANDS["zh"]], language_code="zh"
        )
    except TelegramError as exc:  # a menu is nice to have, not a reason to stop
        logger.warning("could not register the command menu: %s", exc)


# --------------------------------------------------------------------------
# 3. Handlers
# --------------------------------------------------------------------------


class GovqaBot:
    """The handlers, with the state they share: engine, limits, statistics."""

    def __init__(
        self, engine: EngineLike, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.admins = settings.user_ids("admin_users")
        allowed = settings.user_ids("allowed_users")
        self.allowed = allowed | self.admins if allowed else set()  # empty = open
        self.limiter = RateLimiter(settings.rate_limit, clock=clock)
        self.stats = BotStats(clock=clock)
        self._refused_users: set[int] = set()
        self._chat_locks: dict[int, asyncio.Lock] = {}

    def install(self, application: Application) -> None:
        """Add every handler to ``application``."""
        application.add_handler(TypeHandler(Update, self.gate), group=-1)
        for name, callback in [
            ("start", self.cmd_start),
            ("help", self.cmd_help),
            ("sources", self.cmd_sources),
            ("reset", self.cmd_reset),
            ("reload", self.cmd_reload),
            ("stats", self.cmd_stats),
        ]:
            application.add_handler(CommandHandler(name, callback))
        application.add_handler(MessageHandler(filters.COMMAND, self.cmd_unknown))
        application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, self.on_question)
        )
        application.add_handler(
            MessageHandler(filters.UpdateType.MESSAGE & filters.ATTACHMENT, self.on_non_text)
        )
        application.add_handler(CallbackQueryHandler(self.on_more, pattern=r"^more:\d+:\d+$"))
        application.add_handler(CallbackQueryHandler(self.on_source, pattern=r"^src:\d+:\d+$"))
        application.add_handler(CallbackQueryHandler(self.on_sources_page, pattern=r"^srcs:\d+$"))
        application.add_handler(CallbackQueryHandler(self.on_stale_button))
        application.add_error_handler(self.on_error)

    # -- access -------------------------------------------------------------

    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stop updates from users not on the allowlist: one polite refusal each."""
        user = update.effective_user
        if not self.allowed or (user and user.id in self.allowed):
            return
        logger.info("refused update %s from user %s", update.update_id, user.id if user else None)
        first_time = bool(user) and user.id not in self._refused_users
        if first_time:
            self._refused_users.add(user.id)
        text = T(user_lang(update), "not_allowed", user_id=user.id if user else "?")
        if update.callback_query:  # always answered, or the client spins
            await update.callback_query.answer(_plain(text) if first_time else None, show_alert=first_time)
        elif first_time and update.effective_message:
            await update.effective_message.reply_text(text)
        raise ApplicationHandlerStop

    def is_admin(self, update: Update) -> bool:
        return bool(update.effective_user and update.effective_user.id in self.admins)

    # -- commands -----------------------------------------------------------

    async def cmd_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sources = await asyncio.to_thread(self.engine.sources)
        name = update.effective_user.first_name if update.effective_user else ""
        await reply(update.effective_message, format_start(sources, user_lang(update), name))

    async def cmd_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sources = await asyncio.to_thread(self.engine.sources)
        await reply(update.effective_message, format_help(user_lang(update), sources))

    async def cmd_unknown(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = user_lang(update)
        command = (update.effective_message.text or "").split()[0]
        sources = await asyncio.to_thread(self.engine.sources)
        text = T(lang, "unknown_command", command=esc(command)) + "\n\n" + format_help(lang, sources)
        await reply(update.effective_message, text)

    async def cmd_sources(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sources = await asyncio.to_thread(self.engine.sources)
        text, keyboard = format_sources_page(sources, 0, user_lang(update))
        await reply(update.effective_message, text, keyboard)

    async def cmd_reset(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        context.chat_data.pop("context", None)
        context.chat_data.pop("answers", None)
        await reply(update.effective_message, T(user_lang(update), "reset"))

    async def cmd_reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        lang = user_lang(update)
        if not self.is_admin(update):
            await reply(update.effective_message, T(lang, "admin_only"))
            return
        try:
            changed = await asyncio.to_thread(self.engine.reload)
        except Exception as exc:  # the admin needs the reason, the old index stays live
            logger.exception("reload failed")
            await reply(update.effective_message, T(lang, "reload_failed", error=esc(exc)))
            return
        sources = await asyncio.to_thread(self.engine.sources)
        key = "reloaded" if changed else "not_reloaded"
        await reply(update.effective_message, T(lang, key, reports=len(sources)))

    async def cmd_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not self.is_admin(update):
            await reply(update.effective_message, T(user_lang(update), "admin_only"))
            return
        sources = await asyncio.to_thread(self.engine.sources)
        await reply(update.effective_message, format_stats(self.stats, len(sources)))

    # -- questions ----------------------------------------------------------

    async def on_question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Any text: ask the engine (in a worker thread) and reply with the answer."""
        message, lang = update.effective_message, user_lang(update)
        question = (message.text or "").strip()
        problem = self.question_problem(question, lang)
        if problem:
            await reply(message, problem)
            return
        wait = self.limiter.check(update.effective_user.id if update.effective_user else 0)
        if wait:
            self.stats.rate_limited += 1
            await reply(message, T(lang, "slow_down", seconds=max(1, round(wait))))
            return
        chat_id = message.chat_id
        async with self._chat_lock(chat_id), typing(context.bot, chat_id):
            answer = await self.ask(question, context.chat_data)
        if answer is None:
            await reply(message, T(lang, "bad_question"))
            return
        answer_id = remember_answer(context.chat_data, answer)
        qlang = answer_lang(answer)
        await reply(message, format_answer(answer, qlang), answer_keyboard(answer_id, answer, qlang))
        await self.send_chart(message, answer)

    async def send_chart(self, message: Message, answer: Answer) -> None:
        """A comparison (ranked list, table, two-sided) also gets its full
        table as text and a bar chart as a photo."""
        chart_for = getattr(self.engine, "chart_for", None)
        if chart_for is None or not answer.answered:
            return
        png = await asyncio.to_thread(chart_for, answer)
        if png is None:
            return
        for part in split_message(answer.message, 3500):
            await message.reply_text(f"<pre>{esc(part)}</pre>")
        await message.reply_photo(photo=png, caption=esc(answer.answer)[:1024])

    def question_problem(self, question: str, lang: str) -> str | None:
        """A short reply for empty or over-long questions, else None."""
        if not question:
            return T(lang, "empty")
        if len(question) > self.settings.max_question_chars:
            return T(lang, "too_long", chars=len(question), limit=self.settings.max_question_chars)
        return None

    async def ask(self, question: str, chat_data: dict) -> Answer | None:
        """Call the engine with the chat's follow-up context; None if it rejects the question."""
        started = self.stats.clock()
        try:
            answer = await asyncio.to_thread(self.engine.ask, question, chat_data.get("context"))
        except ValueError as exc:  # the engine's QuestionError: empty / over-long / unreadable
            logger.info("question rejected by the engine: %s", exc)
            return None
        seconds = self.stats.clock() - started
        self.stats.record(answer.answered, seconds)
        if answer.context:
            chat_data["context"] = dict(answer.context)
        logger.info("answered=%s in %.0f ms", answer.answered, seconds * 1000)
        return answer

    async def on_non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update.effective_message, T(user_lang(update), "non_text"))

    def _chat_lock(self, chat_id: int) -> asyncio.Lock:
        """One lock per chat: a chat's questions are answered in order."""
        return self._chat_locks.setdefault(chat_id, asyncio.Lock())

    # -- buttons ------------------------------------------------------------

    async def on_more(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """"More passages": send the next page of passages as a new message."""
        query = update.callback_query
        _, answer_id, start = query.data.split(":")
        answer = recall_answer(context.chat_data, int(answer_id))
        lang = user_lang(update)
        if answer is None:
            await query.answer(T(lang, "expired"))
            return
        await query.answer()
        text, keyboard = format_passages(answer, int(answer_id), int(start), answer_lang(answer))
        await send(context.bot, query.message.chat_id, text, keyboard)

    async def on_source(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """"Source": send the whole paragraph the answer came from."""
        query = update.callback_query
        _, answer_id, index = query.data.split(":")
        answer = recall_answer(context.chat_data, int(answer_id))
        if answer is None or int(index) >= len(answer.passages):
            await query.answer(T(user_lang(update), "expired"))
            return
        await query.answer()
        text = format_source(answer.passages[int(index)], answer_lang(answer))
        await send(context.bot, query.message.chat_id, text)

    async def on_sources_page(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/sources paging: edit the list in place."""
        query = update.callback_query
        page = int(query.data.split(":")[1])
        sources = await asyncio.to_thread(self.engine.sources)
        text, keyboard = format_sources_page(sources, page, user_lang(update))
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)

    async def on_stale_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer(T(user_lang(update), "expired"))

    # -- errors -------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its update id and apologise in the chat."""
        self.stats.errors += 1
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("update %s failed: %r", update_id, context.error, exc_info=context.error)
        if not isinstance(update, Update) or update.effective_chat is None:
            return
        try:
            if update.callback_query:
                with suppress(TelegramError):
                    await update.callback_query.answer()
            await context.bot.send_message(update.effective_chat.id, T(user_lang(update), "error"))
        except TelegramError as exc:
            logger.warning("could not send the apology for update %s: %s", update_id, exc)


@asynccontextmanager
async def typing(bot: Bot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing..." in the chat until the block ends."""

    async def show() -> None:
        with suppress(TelegramError):
            await bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def keep_typing() -> None:
        while True:
            await asyncio.sleep(TYPING_REFRESH_S)
            await show()

    await show()
    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def reply(message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Reply with HTML, split into several messages if needed; keyboard on the last."""
    parts = split_message(text)
    for i, part in enumerate(parts):
        await message.reply_text(part, reply_markup=keyboard if i == len(parts) - 1 else None)


async def send(bot: Bot, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Send HTML to a chat, split into several messages if needed; keyboard on the last."""
    parts = split_message(text)
    for i, part in enumerate(parts):
        await bot.send_message(chat_id, part, reply_markup=keyboard if i == len(parts) - 1 else None)


def remember_answer(chat_data: dict, answer: Answer) -> int:
    """Keep ``answer`` for its buttons; return its per-chat id."""
    answers: OrderedDict[int, Answer] = chat_data.setdefault("answers", OrderedDict())
    answer_id = chat_data.get("next_answer_id", 1)
    chat_data["next_answer_id"] = answer_id + 1
    answers[answer_id] = answer
    while len(answers) > ANSWERS_KEPT_PER_CHAT:
        answers.popitem(last=False)
    return answer_id


def recall_answer(chat_data: dict, answer_id: int) -> Answer | None:
    return chat_data.get("answers", {}).get(answer_id)


def user_lang(update: Update) -> str:
    """"zh" for users whose Telegram language is Chinese, else "en"."""
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "zh" if code.lower().startswith("zh") else "en"


_HAN = re.compile(r"[\u4e00-\u9fff]")


def answer_lang(answer: Answer) -> str:
    """Language to answer in: English when the engine gave an English line or the question has no Chinese."""
    if answer.english or not _HAN.search(answer.question):
        return "en"
    return "zh"


# --------------------------------------------------------------------------
# 4. Formatting (pure functions: records in, Telegram HTML out)
# --------------------------------------------------------------------------

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello{name}! I answer questions from <b>{reports}</b> emergency-management "
        "bureau reports: {places} ({years}).",
        "greeting_empty": "Hello{name}! No reports are indexed yet, so I cannot answer questions.",
        "ask_like": "Ask in Chinese or English, for example:",
        "start_tail": "/help shows how to ask; /sources lists the reports.",
        "help": "<b>How to ask</b>\nType one question per message, in Chinese or English, "
        "naming the place and the year. I reply with the figure, the sentence it comes from "
        "and the report it is in. Follow-up questions may leave out the place or year "
        "(\"and in 2021?\"); /reset forgets them.\n\n<b>Examples</b>\n{examples}\n\n"
        "<b>Commands</b>\n/start - what I know\n/sources - the indexed reports\n"
        "/reset - forget the conversation context\n/help - this text",
        "unknown_command": "I do not know the command {command}.",
        "not_allowed": "Sorry, this bot is only for registered staff. If you need access, "
        "give your administrator your Telegram user id: <code>{user_id}</code>.",
        "admin_only": "Sorry, that command is for administrators.",
        "reset": "Done: I have forgotten the conversation context. Ask a new question.",
        "reloaded": "Index reloaded: {reports} reports.",
        "not_reloaded": "The index has not changed on disk: {reports} reports.",
        "reload_failed": "Reload failed; still answering from the old index. {error}",
        "empty": "Please type a question; /help shows examples.",
        "too_long": "That message has {chars} characters; please ask one short question "
        "(at most {limit} characters).",
        "bad_question": "Sorry, I could not read that as a question. Please ask about one "
        "place and year; /help shows examples.",
        "slow_down": "You are asking faster than I can keep up. Please wait about {seconds} s "
        "and ask again.",
        "non_text": "I can only read typed text. Please type your question; /help shows examples.",
        "expired": "This answer is no longer available. Please ask the question again.",
        "error": "Sorry, something went wrong while answering. Please try again; "
        "if it keeps happening, tell the administrator.",
        "sources_title": "<b>Indexed reports</b> ({count})",
        "sources_page": "page {page} of {pages}",
        "no_sources": "No reports are indexed yet.",
        "prev": "‹ Previous",
        "next": "Next ›",
        "more": "More passages",
        "source": "Source",
        "published": "published",
        "passages_title": "<b>Passages {first}-{last} of {total}</b>",
        "no_more": "No more passages.",
        "refusal_tail": "/sources lists what is indexed.",
    },
    "zh": {
        "greeting": "您好{name}!我可以根据已收录的 <b>{reports}</b> 份应急管理局报告回答问题,"
        "涵盖:{places}({years})。",
        "greeting_empty": "您好{name}!目前还没有收录任何报告,暂时无法回答问题。",
        "ask_like": "可以用中文或英文提问,例如:",
        "start_tail": "发送 /help 查看用法,/sources 查看报告列表。",
        "help": "<b>如何提问</b>\n每条消息问一个问题,中英文均可,请写明地区和年份。"
        "我会回复数字、出处原句和所在报告。追问时可以省略地区或年份(如“那罚款呢?”),"
        "发送 /reset 清除上下文。\n\n<b>示例</b>\n{examples}\n\n"
        "<b>命令</b>\n/start - 介绍\n/sources - 已收录的报告\n/reset - 清除对话上下文\n"
        "/help - 本说明",
        "unknown_command": "没有 {command} 这个命令。",
        "not_allowed": "抱歉,本机器人仅供内部工作人员使用。如需开通,请把您的 Telegram 用户 ID "
        "<code>{user_id}</code> 告诉管理员。",
        "admin_only": "抱歉,该命令仅限管理员使用。",
        "reset": "已清除对话上下文,请提出新问题。",
        "reloaded": "索引已重新加载:共 {reports} 份报告。",
        "not_reloaded": "索引没有变化:共 {reports} 份报告。",
        "reload_failed": "重新加载失败,仍在使用原索引。{error}",
        "empty": "请输入问题;发送 /help 查看示例。",
        "too_long": "这条消息有 {chars} 个字符,请只问一个简短的问题(不超过 {limit} 个字符)。",
        "bad_question": "抱歉,没能理解这个问题。请写明地区和年份;发送 /help 查看示例。",
        "slow_down": "提问太频繁了,请约 {seconds} 秒后再问。",
        "non_text": "我只能读取文字消息,请直接输入问题;发送 /help 查看示例。",
        "expired": "这条回答已失效,请重新提问。",
        "error": "抱歉,回答时出错了。请再试一次;如果一直出错,请联系管理员。",
        "sources_title": "<b>已收录的报告</b>(共 {count} 份)",
        "sources_page": "第 {page}/{pages} 页",
        "no_sources": "目前还没有收录任何报告。",
        "prev": "‹ 上一页",
        "next": "下一页 ›",
        "more": "更多段落",
        "source": "原文段落",
        "published": "发布日期",
        "passages_title": "<b>相关段落 {first}-{last}(共 {total} 段)</b>",
        "no_more": "没有更多段落了。",
        "refusal_tail": "发送 /sources 查看已收录的报告。",
    },
}

# The project's demo question (Makefile DEMO), known to be answered when its report is indexed.
DEMO_REPORT = ("金华市", 2020)
DEFAULT_EXAMPLES = ["金华市2020年罚款多少?", "How many fines did Jinhua issue in 2020?"]


def T(lang: str, key: str, **values: Any) -> str:
    """A fixed text in ``lang`` ("zh" or "en"), with ``values`` filled in."""
    return TEXTS.get(lang, TEXTS["en"])[key].format(**values)


def esc(value: Any) -> str:
    """Escape any text for Telegram HTML."""
    return html.escape(str(value), quote=False)


def format_answer(answer: Answer, lang: str) -> str:
    """The reply to a question: figures in bold, sentence, English line, citation.

    A refusal is the engine's message (what *is* indexed) and a hint.
    """
    if not answer.answered:
        message = answer.message or "No answer found in the indexed reports."
        return f"{esc(message)}\n\n{T(lang, 'refusal_tail')}"
    lines = []
    if answer.figures:
        lines.append(format_figures(answer))
    if answer.answer:
        lines.append(esc(answer.answer))
    if answer.english:
        lines.append(f"<i>{esc(answer.english)}</i>")
    if not lines and answer.message:
        lines.append(esc(answer.message))
    text = "\n".join(lines)
    if answer.source is not None:
        text += "\n\n" + format_citation(answer.source, lang)
    return text


def format_figures(answer: Answer, limit: int = 3) -> str:
    """"行政处罚 <b>703次</b> · 罚款 <b>1584.66万元</b>"."""
    parts = []
    for figure in answer.figures[:limit]:
        shown = figure.text or f"{figure.value:g}{figure.unit}"
        label = f"{esc(figure.label)} " if figure.label else ""
        parts.append(f"{label}<b>{esc(shown)}</b>")
    return " · ".join(parts)


def format_citation(hit: Hit, lang: str) -> str:
    """Report title, section and publish date of a passage."""
    meta = hit.meta
    lines = [f"📄 {esc(meta.title or hit.source)}"]
    if hit.chunk.section:
        lines.append(f"§ {esc(hit.chunk.section)}")
    details = [esc(meta.label())] if meta.label() else []
    if meta.publish_date:
        details.append(f"{T(lang, 'published')} {esc(meta.publish_date)}")
    if details:
        lines.append(" · ".join(details))
    return "\n".join(lines)


def format_passage(hit: Hit, number: int, lang: str) -> str:
    """One passage: number, place/year, section, then its full text."""
    head = f"<b>{number}.</b> {esc(hit.meta.label() or hit.source)}"
    if hit.chunk.section:
        head += f" · {esc(hit.chunk.section)}"
    return f"{head}\n{esc(hit.chunk.text)}"


def format_passages(
    answer: Answer, answer_id: int, start: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of further passages and the keyboard for the page after it."""
    page = answer.passages[start : start + PASSAGES_PER_PAGE]
    if not page:
        return T(lang, "no_more"), None
    total = len(answer.passages)
    title = T(lang, "passages_title", first=start + 1, last=start + len(page), total=total)
    blocks = [title] + [format_passage(hit, start + i + 1, lang) for i, hit in enumerate(page)]
    following = start + PASSAGES_PER_PAGE
    keyboard = None
    if following < total:
        button = InlineKeyboardButton(T(lang, "more"), callback_data=f"more:{answer_id}:{following}")
        keyboard = InlineKeyboardMarkup([[button]])
    return "\n\n".join(blocks), keyboard


def format_source(hit: Hit, lang: str) -> str:
    """The whole paragraph a passage comes from, with its citation."""
    issuer = f"\n{esc(hit.meta.issuer)}" if hit.meta.issuer else ""
    return f"{format_citation(hit, lang)}{issuer}\n<code>{esc(hit.source)}</code>\n\n{esc(hit.chunk.text)}"


def answer_keyboard(answer_id: int, answer: Answer, lang: str) -> InlineKeyboardMarkup | None:
    """"More passages" (when there are more) and "Source" buttons for an answer."""
    if not answer.answered or not answer.passages:
        return None
    buttons = []
    if len(answer.passages) > 1:
        buttons.append(InlineKeyboardButton(T(lang, "more"), callback_data=f"more:{answer_id}:1"))
    buttons.append(InlineKeyboardButton(T(lang, "source"), callback_data=f"src:{answer_id}:0"))
    return InlineKeyboardMarkup([buttons])


def format_start(sources: list[dict], lang: str, name: str = "") -> str:
    """/start: greeting, what is indexed (reports, places, years), two examples."""
    shown_name = f", {esc(name)}" if name and lang == "en" else (f" {esc(name)}" if name else "")
    if not sources:
        return T(lang, "greeting_empty", name=shown_name)
    places = _unique(s.get("region") or s.get("issuer") or "" for s in sources)
    years = sorted({int(s["year"]) for s in sources if s.get("year")})
    greeting = T(
        lang,
        "greeting",
        name=shown_name,
        reports=len(sources),
        places=esc("、".join(places) if lang == "zh" else ", ".join(places)),
        years=", ".join(map(str, years)) or "-",
    )
    examples = "\n".join(f"• {esc(q)}" for q in example_questions(sources))
    return f"{greeting}\n\n{T(lang, 'ask_like')}\n{examples}\n\n{T(lang, 'start_tail')}"


def format_help(lang: str, sources: list[dict] | None = None) -> str:
    examples = "\n".join(f"• {esc(q)}" for q in example_questions(sources or []))
    return T(lang, "help", examples=examples)


def example_questions(sources: list[dict]) -> list[str]:
    """One Chinese and one English example question about an indexed report."""
    reports = [s for s in sources if s.get("region") and s.get("year")]
    if not reports or any((s["region"], s["year"]) == DEMO_REPORT for s in reports):
        return DEFAULT_EXAMPLES
    # Rule-of-law reports (法治政府建设) carry enforcement figures such as fines.
    report = next((s for s in reports if "法治" in (s.get("doc_type") or "") + (s.get("title") or "")), reports[0])
    region, year = report["region"], report["year"]
    return [f"{region}{year}年罚款多少?", f"How many fines did {english_place(region)} issue in {year}?"]


_PLACE_SUFFIX = re.compile(r"(?:省|市|区|县|自治州|州|盟|旗)$")


def english_place(region: str) -> str:
    """"金华市" -> "Jinhua" (pinyin without the administrative suffix), for examples only."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # examples are cosmetic
        return region
    core = _PLACE_SUFFIX.sub("", region) or region
    return "".join(lazy_pinyin(core)).capitalize()


def format_sources_page(
    sources: list[dict], page: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of /sources and its previous/next keyboard."""
    if not sources:
        return T(lang, "no_sources"), None
    pages = max(1, -(-len(sources) // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = sources[page * SOURCES_PER_PAGE : (page + 1) * SOURCES_PER_PAGE]
    lines = [T(lang, "sources_title", count=len(sources))]
    if pages > 1:
        lines[0] += " · " + T(lang, "sources_page", page=page + 1, pages=pages)
    for number, source in enumerate(shown, start=page * SOURCES_PER_PAGE + 1):
        lines.append(format_source_line(source, number, lang))
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(T(lang, "prev"), callback_data=f"srcs:{page - 1}"))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(T(lang, "next"), callback_data=f"srcs:{page + 1}"))
    return "\n\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


def format_source_line(source: dict, number: int, lang: str) -> str:
    """"3. <b>金华市 2020</b> · 法治政府建设报告 · published 2021-01-25" + title."""
    place = " ".join(str(x) for x in (source.get("region"), source.get("year")) if x)
    details = [f"<b>{esc(place or source.get('issuer') or source.get('source', ''))}</b>"]
    if source.get("doc_type"):
        details.append(esc(source["doc_type"]))
    if source.get("publish_date"):
        details.append(f"{T(lang, 'published')} {esc(source['publish_date'])}")
    title = source.get("title") or source.get("source", "")
    return f"{number}. " + " · ".join(details) + f"\n{esc(title)}"


def format_stats(stats: "BotStats", reports: int) -> str:
    """/stats for administrators."""
    p50 = stats.p50_ms()
    return "\n".join(
        [
            "<b>Since start</b> ({:.0f} min ago)".format(stats.uptime_s() / 60),
            f"Questions answered: {stats.answered}",
            f"Refusals: {stats.refused}",
            "p50 latency: " + (f"{p50:.0f} ms" if p50 is not None else "-"),
            f"Rate-limited: {stats.rate_limited}",
            f"Errors: {stats.errors}",
            f"Reports indexed: {reports}",
        ]
    )


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(x for x in items if x))


def _plain(text: str) -> str:
    """Telegram HTML -> plain text (for callback-query alerts)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


# --------------------------------------------------------------------------
# 5. Helpers: splitting, rate limiting, statistics
# --------------------------------------------------------------------------


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
