"""The handlers: commands, questions, buttons, access, errors; with the state
they share (engine, rate limiter, statistics, per-chat answers)."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from contextlib import asynccontextmanager, suppress
from typing import AsyncIterator, Callable, Protocol

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from retrieval import Answer, IndexUnavailableError, Settings, has_han

from .format import (html_to_plain, answer_keyboard, esc, format_answer, format_help, format_passages, format_source,
                     format_sources_page, format_start, format_stats)
from .limits import BotStats, RateLimiter, split_message
from .texts import T

logger = logging.getLogger(__name__)

ANSWERS_KEPT_PER_CHAT = 20  # answers whose buttons still work
ANYONE = "*"  # GOVQA_ALLOWED_USERS=* : open to anyone, said in the log at start
TYPING_REFRESH_S = 4.0  # Telegram shows "typing..." for about 5 s


class EngineLike(Protocol):
    """The part of ``retrieval.Engine`` the bot uses."""

    def ask(self, question: str, context: dict | None = None) -> Answer: ...

    def sources(self) -> list[dict]: ...

    def reload(self) -> bool: ...

    def chart_for(self, answer: Answer) -> bytes | None: ...



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
        # fail closed: no list (or a list of nothing) lets only administrators in; anyone only with *
        self.open_to_anyone = settings.allowed_users.strip() == ANYONE
        self.allowed = settings.user_ids("allowed_users") | self.admins
        if self.open_to_anyone:
            logger.warning("GOVQA_ALLOWED_USERS=*: the bot answers anyone who finds it")
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
        if self.open_to_anyone or (user and user.id in self.allowed):
            return
        logger.info("refused update %s from user %s", update.update_id, user.id if user else None)
        first_time = bool(user) and user.id not in self._refused_users
        if first_time:
            self._refused_users.add(user.id)
        text = T(user_lang(update), "not_allowed", user_id=user.id if user else "?")
        if update.callback_query:  # always answered, or the client spins
            await update.callback_query.answer(html_to_plain(text) if first_time else None, show_alert=first_time)
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
        try:
            async with self._chat_lock(chat_id), typing(context.bot, chat_id):
                answer = await self.ask(question, context.chat_data)
        except IndexUnavailableError as exc:  # Milvus down or unreachable: the next question may work
            logger.warning("%s", exc)
            self.stats.errors += 1
            await reply(message, T(lang, "unavailable"))
            return
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
        if await self.without_message(update):
            return
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
        if await self.without_message(update):
            return
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
        if await self.without_message(update):
            return
        page = int(query.data.split(":")[1])
        sources = await asyncio.to_thread(self.engine.sources)
        text, keyboard = format_sources_page(sources, page, user_lang(update))
        await query.answer()
        await query.edit_message_text(text, reply_markup=keyboard)

    async def on_stale_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer(T(user_lang(update), "expired"))

    async def without_message(self, update: Update) -> bool:
        """A button pressed on an inline-mode message comes without the message
        (nor its chat), so nothing can be sent beside it: answer it (or the
        client spins) and say the answer is gone. True when that was the case."""
        if update.callback_query.message is not None:
            return False
        await update.callback_query.answer(T(user_lang(update), "expired"))
        return True

    # -- errors -------------------------------------------------------------

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its update id and apologise in the chat."""
        self.stats.errors += 1
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("update %s failed: %r", update_id, context.error, exc_info=context.error)
        if not isinstance(update, Update):
            return
        if update.callback_query:  # every button press is answered, or the client spins
            with suppress(TelegramError):
                await update.callback_query.answer()
        if update.effective_chat is None:
            return
        try:
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


def answer_lang(answer: Answer) -> str:
    """Language to answer in: English when the engine gave an English line or the question has no Chinese."""
    if answer.english or not has_han(answer.question):
        return "en"
    return "zh"
