"""The Telegram front-end, tested with the real python-telegram-bot and no network.

Three layers:

* formatting and helpers - pure functions, no server;
* behaviour that needs control over the engine (errors, slowness, paging,
  context reset) - the real ``Application`` against ``FakeBotAPI`` with a
  small fake engine;
* the staff conversations of issue 3 - the real ``Application`` against
  ``FakeBotAPI`` over the real seed index (``seed_engine``: real model, FAISS).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest

from bot.telegram.app import build_application, run_bot
from bot.telegram.format import (answer_keyboard, english_place, example_questions, format_answer, format_passages,
                                 format_source, format_sources_page, format_start)
from bot.telegram.limits import TEXT_LIMIT, BotStats, RateLimiter, split_message, telegram_len
from retrieval.records import Answer, Chunk, Figure, Hit, Metadata
from retrieval.settings import Settings
from tests.fake_bot_api import Call, FakeBotAPI, RunningBot, decode_request

PROJECT = Path(__file__).resolve().parent.parent
JINHUA_TITLE = "金华市应急管理局(人防办)关于2020年度法治政府建设工作情况的报告"
JINHUA_EN = "How many fines did Jinhua issue in 2020?"
JINHUA_ZH = "金华市2020年罚款多少?"


# ==========================================================================
# Test helpers
# ==========================================================================


def hit(text: str, region: str = "金华市", year: int = 2020, section: str = "二、主要工作",
        title: str = JINHUA_TITLE, publish_date: str | None = "2021-01-25") -> Hit:
    meta = Metadata(title=title, region=region, year=year, publish_date=publish_date,
                    issuer="金华市应急管理局", doc_type="法治政府建设报告")
    return Hit(Chunk("d1", 0, section, text), meta, "004_e939aaac88e3997d.txt", 0.9)


def jinhua_answer(question: str = JINHUA_EN, passages: int = 7) -> Answer:
    sentence = "全年共实施行政处罚703次,罚款1584.66万元。"
    hits = [hit(f"第{i + 1}段:{sentence}") for i in range(passages)]
    return Answer(
        question=question, answered=True, answer=sentence,
        english="Jinhua (2020): 703 administrative penalties, fines of 15.8466 million yuan.",
        figures=[Figure(703, "次", "行政处罚", "703次"), Figure(1584.66, "万元", "罚款", "1584.66万元")],
        passages=hits, context={"region": "金华市", "year": 2020, "topic": "罚款"},
    )


def sources(n: int) -> list[dict]:
    return [
        {"doc_id": f"d{i}", "source": f"{i:03d}.txt", "title": f"第{i}份报告", "issuer": "",
         "region": "金华市" if i % 2 else "威海市", "year": 2000 + i, "doc_type": "法治政府建设报告",
         "publish_date": f"{2001 + i}-01-25", "chunks": 3}
        for i in range(n)
    ]


class FakeEngine:
    """Follows the engine contract; "boom" raises, "slow" sleeps, "杭州" is refused."""

    def __init__(self, n_sources: int = 5) -> None:
        self.questions: list[tuple[str, dict | None]] = []
        self._sources = sources(n_sources)
        self.reloads = 0

    def ask(self, question: str, context: dict | None = None) -> Answer:
        self.questions.append((question, context))
        if "boom" in question:
            raise RuntimeError("engine exploded")
        if "slow" in question:
            time.sleep(1.5)
        if "bad question" in question:
            raise ValueError("question has no words")
        if "杭州" in question or "Hangzhou" in question:
            return Answer(question, False, message="No report for 杭州市 is indexed. Indexed: 金华市 2020.")
        return jinhua_answer(question)

    def sources(self) -> list[dict]:
        return self._sources

    def reload(self) -> bool:
        self.reloads += 1
        return True


@contextmanager
def running_bot(engine, **overrides) -> Iterator[FakeBotAPI]:
    """The real Application over ``engine``, polling a fresh fake Bot API
    (open to anyone unless ``allowed_users`` says otherwise)."""
    overrides.setdefault("allowed_users", "*")
    with FakeBotAPI() as api:
        settings = replace(Settings(), telegram_token=api.token, telegram_base_url=api.base_url, **overrides)
        with RunningBot(build_application(engine, settings), api):
            yield api


def replies(api: FakeBotAPI, chat_id: int) -> list[Call]:
    return api.calls_to("sendMessage", chat_id=chat_id)


def converse(api: FakeBotAPI, user_id: int, text: str, lang: str = "en", timeout: float = 30) -> Call:
    """Send ``text`` as ``user_id`` and return the bot's (first) reply."""
    before = len(replies(api, user_id))
    api.send_text(user_id, text, language_code=lang)
    return api.wait_for("sendMessage", count=before + 1, chat_id=user_id, timeout=timeout)[before]


def press(api: FakeBotAPI, user_id: int, message: Call, label: str, timeout: float = 30) -> Call:
    """Press the button ``label`` under ``message``; return the bot's next message in the chat."""
    before = len(replies(api, user_id))
    api.press(user_id, message, message.button(label)["callback_data"])
    return api.wait_for("sendMessage", count=before + 1, chat_id=user_id, timeout=timeout)[before]


# ==========================================================================
# 1. Formatting and helpers (no server)
# ==========================================================================


class TestFormatting:
    def test_answer_has_bold_figures_sentence_english_and_citation(self):
        text = format_answer(jinhua_answer(), "en")
        assert "<b>1584.66万元</b>" in text and "<b>703次</b>" in text
        assert "全年共实施行政处罚703次,罚款1584.66万元。" in text
        assert "<i>Jinhua (2020)" in text
        assert JINHUA_TITLE in text and "二、主要工作" in text and "2021-01-25" in text

    def test_document_text_is_escaped(self):
        answer = jinhua_answer()
        answer.answer = "罚款<b>1584.66</b>万元 & <script>"
        answer.passages = [hit("<i>evil</i> & more", section="一、A > B", title="T<1>")]
        text = format_answer(answer, "zh")
        assert "罚款&lt;b&gt;1584.66&lt;/b&gt;万元 &amp; &lt;script&gt;" in text
        assert "一、A &gt; B" in text and "T&lt;1&gt;" in text
        source = format_source(answer.passages[0], "en")
        assert "&lt;i&gt;evil&lt;/i&gt; &amp; more" in source and "<i>evil" not in source

    def test_refusal_shows_the_engine_message_and_no_buttons(self):
        answer = Answer("How many fines did Hangzhou issue?", False,
                        message="No report for 杭州市 is indexed. Indexed: 金华市 2020 & 威海市 2021.")
        text = format_answer(answer, "en")
        assert "No report for 杭州市 is indexed" in text and "&amp; 威海市" in text
        assert "/sources" in text
        assert answer_keyboard(1, answer, "en") is None

    def test_keyboard_and_passage_pages(self):
        answer = jinhua_answer(passages=7)
        keyboard = answer_keyboard(5, answer, "en").to_dict()["inline_keyboard"]
        assert [b["callback_data"] for b in keyboard[0]] == ["more:5:1", "src:5:0"]
        text, more = format_passages(answer, 5, 1, "en")
        assert "Passages 2-4 of 7" in text and "第2段" in text and "第4段" in text and "第5段" not in text
        assert more.to_dict()["inline_keyboard"][0][0]["callback_data"] == "more:5:4"
        text, more = format_passages(answer, 5, 4, "zh")
        assert "第7段" in text and more is None
        assert answer_keyboard(1, jinhua_answer(passages=1), "zh").to_dict()["inline_keyboard"][0][0]["text"] == "原文段落"

    def test_start_lists_reports_places_years_and_examples(self):
        text = format_start(sources(4), "en", "Ann")
        assert "<b>4</b>" in text and "威海市, 金华市" in text and "2000, 2001, 2002, 2003" in text
        zh = format_start(sources(4), "zh")
        assert "您好" in zh and "威海市、金华市" in zh
        assert example_questions(sources(4))[1] == "How many fines did Weihai issue in 2000?"
        assert english_place("金华市") == "Jinhua" and english_place("静海区") == "Jinghai"
        assert example_questions(sources(4) + [{"region": "金华市", "year": 2020}])[0] == JINHUA_ZH

    def test_sources_are_paged(self):
        text, keyboard = format_sources_page(sources(25), 0, "en")
        assert "(25)" in text and "page 1 of 3" in text and "10. " in text and "11. " not in text
        assert [b["callback_data"] for b in keyboard.to_dict()["inline_keyboard"][0]] == ["srcs:1"]
        text, keyboard = format_sources_page(sources(25), 2, "en")
        assert "25. " in text and [b["callback_data"] for b in keyboard.to_dict()["inline_keyboard"][0]] == ["srcs:1"]
        text, keyboard = format_sources_page(sources(3), 0, "zh")
        assert "共 3 份" in text and keyboard is None


class TestSplitting:
    def test_short_text_is_one_message(self):
        assert split_message("短消息") == ["短消息"]

    def test_splits_at_paragraph_boundaries(self):
        paragraphs = [f"<b>{i}.</b> " + "段落文字。" * 150 for i in range(12)]  # ~755 chars each
        parts = split_message("\n\n".join(paragraphs))
        assert len(parts) > 1 and all(telegram_len(p) <= TEXT_LIMIT for p in parts)
        assert "\n\n".join(parts) == "\n\n".join(paragraphs)  # nothing lost, cut only between paragraphs
        for part in parts:
            assert part.count("<b>") == part.count("</b>")

    def test_an_over_long_line_is_cut_outside_entities(self):
        line = ("罚款&amp;处罚。" * 900)  # one 9900-char line, no breaks
        parts = split_message(line)
        assert "".join(parts) == line
        assert all(telegram_len(p) <= TEXT_LIMIT for p in parts)
        for part in parts:
            assert part.count("&") == part.count("&amp;")

    def test_limit_counts_utf16_units(self):
        parts = split_message("📄" * 3000)  # 6000 UTF-16 units
        assert len(parts) == 2 and all(telegram_len(p) <= TEXT_LIMIT for p in parts)


class TestRateLimitAndStats:
    def test_rate_limiter_sliding_window(self):
        now = [0.0]
        limiter = RateLimiter(3, window=60, clock=lambda: now[0])
        assert [limiter.check(1) for _ in range(3)] == [0, 0, 0]
        assert limiter.check(1) == pytest.approx(60)
        assert limiter.check(2) == 0  # per user
        now[0] = 60.5
        assert limiter.check(1) == 0
        assert RateLimiter(0).check(1) == 0  # 0 = unlimited

    def test_stats_p50(self):
        stats = BotStats()
        assert stats.p50_ms() is None
        for answered, seconds in [(True, 0.1), (False, 0.3), (True, 0.2)]:
            stats.record(answered, seconds)
        assert (stats.answered, stats.refused) == (2, 1)
        assert stats.p50_ms() == pytest.approx(200)


# ==========================================================================
# 2. The fake Bot API itself
# ==========================================================================


class TestFakeBotAPI:
    def test_decodes_form_json_and_multipart(self):
        params, _ = decode_request(
            "application/x-www-form-urlencoded",
            b"chat_id=42&text=123&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D&disable_notification=true")
        assert params == {"chat_id": 42, "text": "123", "reply_markup": {"inline_keyboard": []},
                          "disable_notification": True}
        assert decode_request("application/json", b'{"chat_id": 7}')[0] == {"chat_id": 7}

    def test_send_photo_multipart_through_real_bot(self):
        import asyncio

        from telegram import Bot

        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

        async def send() -> None:
            async with Bot(api.token, base_url=api.base_url) as bot:
                await bot.send_photo(77, photo=png, caption="罚款 <b>1584.66</b>", parse_mode="HTML")

        with FakeBotAPI() as api:
            asyncio.run(send())
            [call] = api.calls_to("sendPhoto")
        assert call.chat_id == 77 and call.params["caption"] == "罚款 <b>1584.66</b>"
        [(filename, data)] = call.files.values()
        assert data == png


# ==========================================================================
# 3. Behaviour with a controllable engine
# ==========================================================================


class TestWithFakeEngine:
    def test_engine_error_gets_an_apology_and_the_bot_keeps_running(self, caplog):
        engine = FakeEngine()
        with running_bot(engine) as api:
            reply = converse(api, 1, "boom")
            assert "Sorry, something went wrong" in reply.text
            assert "1584.66" in converse(api, 1, JINHUA_EN).text
        assert any("update" in r.getMessage() and "failed" in r.getMessage() and r.exc_info
                   for r in caplog.records)

    def test_slow_question_does_not_block_other_chats(self):
        with running_bot(FakeEngine()) as api:
            api.send_text(1, "slow question about Jinhua")
            time.sleep(0.2)
            fast = converse(api, 2, JINHUA_EN, timeout=5)
            slow = api.wait_for("sendMessage", chat_id=1, timeout=10)[0]
            assert fast.at < slow.at
            assert api.calls_to("sendChatAction", chat_id=1, action="typing")

    def test_follow_up_context_per_chat_and_reset(self):
        engine = FakeEngine()
        with running_bot(engine) as api:
            converse(api, 1, JINHUA_EN)
            converse(api, 1, "and in 2021?")
            converse(api, 2, "and in 2021?")  # another chat has no context
            assert "forgotten" in converse(api, 1, "/reset").text
            converse(api, 1, "and in 2021?")
        contexts = [c for _, c in engine.questions]
        assert contexts == [None, {"region": "金华市", "year": 2020, "topic": "罚款"}, None, None]

    def test_engine_rejection_gets_a_short_reply(self):
        with running_bot(FakeEngine()) as api:
            assert "could not read that as a question" in converse(api, 1, "bad question").text

    def test_sources_paging_edits_the_message(self):
        with running_bot(FakeEngine(n_sources=25)) as api:
            first = converse(api, 1, "/sources")
            assert "page 1 of 3" in first.text
            api.press(1, first, first.button("Next")["callback_data"])
            [edit] = api.wait_for("editMessageText", chat_id=1)
            assert "page 2 of 3" in edit.text and "11. " in edit.text
            assert [b["text"] for b in edit.buttons()] == ["‹ Previous", "Next ›"]
            assert api.wait_for("answerCallbackQuery")

    def test_source_button_and_expired_buttons(self):
        with running_bot(FakeEngine()) as api:
            answer = converse(api, 1, JINHUA_EN)
            source = press(api, 1, answer, "Source")
            assert "第1段" in source.text and "004_e939aaac88e3997d.txt" in source.text
            api.press(1, answer, "more:999:1")  # an answer this chat never had
            answered = api.wait_for("answerCallbackQuery", count=2)
            assert any("no longer available" in (c.params.get("text") or "") for c in answered)

    def test_admin_commands(self):
        engine = FakeEngine()
        with running_bot(engine, admin_users="9") as api:
            converse(api, 9, JINHUA_EN)
            converse(api, 9, "How many fines did Hangzhou issue in 2020?")
            stats = converse(api, 9, "/stats").text
            assert "Questions answered: 1" in stats and "Refusals: 1" in stats and "p50 latency:" in stats
            assert "Index reloaded: 5 reports" in converse(api, 9, "/reload").text
            assert "administrators" in converse(api, 1, "/reload").text
            assert "仅限管理员" in converse(api, 1, "/stats", lang="zh").text
        assert engine.reloads == 1

    def test_failed_reload_is_reported_to_the_admin(self):
        engine = FakeEngine()
        engine.reload = lambda: (_ for _ in ()).throw(RuntimeError("manifest unreadable"))
        with running_bot(engine, admin_users="9") as api:
            assert "Reload failed" in converse(api, 9, "/reload").text
            assert "1584.66" in converse(api, 9, JINHUA_EN).text

    def test_non_text_messages_get_a_hint(self):
        with running_bot(FakeEngine()) as api:
            for i, send in enumerate([api.send_photo, api.send_voice, api.send_document]):
                send(10 + i)
                [reply] = api.wait_for("sendMessage", chat_id=10 + i)
                assert "only read typed text" in reply.text

    def test_callback_query_without_a_message_is_answered(self, caplog):
        """An inline-mode button press carries no message: every callback query
        is still answered (or the button spins) and nothing fails."""
        with running_bot(FakeEngine()) as api:
            converse(api, 1, JINHUA_EN)
            for data in ("more:1:1", "src:1:0", "srcs:1", "stale"):
                api.press_inline(1, data)
            answered = api.wait_for("answerCallbackQuery", count=4, timeout=10)
        assert len(answered) == 4
        assert not [r for r in caplog.records if "failed" in r.getMessage()]

    def test_unset_allowlist_answers_nobody(self):
        with running_bot(FakeEngine(), allowed_users="", admin_users="9") as api:
            refusal = converse(api, 1, JINHUA_EN)
            assert "only for registered staff" in refusal.text and "1584" not in refusal.text
            assert "1584.66" in converse(api, 9, JINHUA_EN).text  # administrators may ask

    def test_open_access_is_explicit_and_logged(self, caplog):
        with running_bot(FakeEngine(), allowed_users="*") as api:
            assert "1584.66" in converse(api, 1, JINHUA_EN).text
        warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        assert any("GOVQA_ALLOWED_USERS=*" in w and "anyone" in w for w in warnings)

    def test_command_menu_is_registered(self):
        with running_bot(FakeEngine()) as api:
            commands = {c.params.get("language_code", ""): c.params["commands"] for c in api.calls_to("setMyCommands")}
        assert [c["command"] for c in commands[""]] == ["start", "help", "sources", "reset"]
        assert commands["zh"][0]["description"] == "介绍与示例"


class TestRunBot:
    def test_missing_token(self, capsys):
        assert run_bot(replace(Settings(), telegram_token="")) == 2
        err = capsys.readouterr().err
        assert "TELEGRAM_BOT_TOKEN" in err and err.count("\n") == 1

    def test_rejected_token(self, capsys):
        with FakeBotAPI() as api:
            code = run_bot(replace(Settings(), telegram_token="42:not-the-token", telegram_base_url=api.base_url,
                                   allowed_users="*"))
        assert code == 2
        err = capsys.readouterr().err
        assert "rejected" in err and err.count("\n") == 1

    def test_unreachable_bot_api(self, capsys):
        with FakeBotAPI() as api:
            url = api.base_url  # closed once the block ends
        assert run_bot(replace(Settings(), telegram_token=api.token, telegram_base_url=url, allowed_users="*")) == 1
        assert "cannot reach the Bot API" in capsys.readouterr().err

    def test_missing_index(self, tmp_path, capsys):
        with FakeBotAPI() as api:
            settings = replace(Settings(), telegram_token=api.token, telegram_base_url=api.base_url,
                               index=tmp_path / "no-index", allowed_users="1")
            assert run_bot(settings) == 2
        err = capsys.readouterr().err
        assert "govqa index build" in err and err.count("\n") == 1

    def test_malformed_allowlist_fails_closed(self, capsys):
        settings = replace(Settings(), telegram_token="1:x", allowed_users="11111111, alice")
        assert run_bot(settings) == 2
        err = capsys.readouterr().err
        assert "GOVQA_ALLOWED_USERS" in err and "alice" in err

    @pytest.mark.parametrize("raw", [",", " ", " ; ", ""])
    def test_allowlist_that_parses_to_nothing_is_a_startup_error(self, capsys, tmp_path, raw):
        with FakeBotAPI() as api:
            settings = replace(Settings(), telegram_token=api.token, telegram_base_url=api.base_url,
                               allowed_users=raw, index=tmp_path / "no-index")
            assert run_bot(settings) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "GOVQA_ALLOWED_USERS" in err and "*" in err

    def test_webhook_url_must_be_https(self, capsys):
        settings = replace(Settings(), telegram_token="1:x", allowed_users="*")
        assert run_bot(settings, webhook_url="http://example.invalid/hook") == 2
        assert "webhook" in capsys.readouterr().err


# ==========================================================================
# 4. Staff conversations over the real seed index (real model, real FAISS)
# ==========================================================================


class TestConversations:
    def test_start_in_chinese_and_english(self, seed_engine):
        with running_bot(seed_engine) as api:
            zh = converse(api, 1, "/start", lang="zh-hans").text
            en = converse(api, 2, "/start", lang="en").text
        assert "您好" in zh and "<b>5</b>" in zh and "金华市" in zh and "2020" in zh
        assert "Hello" in en and "<b>5</b>" in en and "金华市" in en and JINHUA_EN in en
        assert en.count("• ") == 2

    def test_help_and_unknown_command(self, seed_engine):
        with running_bot(seed_engine) as api:
            help_text = converse(api, 1, "/help").text
            unknown = converse(api, 1, "/frobnicate").text
        assert "How to ask" in help_text and "/sources" in help_text
        assert JINHUA_ZH in help_text and JINHUA_EN in help_text
        assert "/frobnicate" in unknown and "How to ask" in unknown

    def test_sources(self, seed_engine):
        with running_bot(seed_engine) as api:
            text = converse(api, 1, "/sources").text
        assert "(5)" in text
        for place in ["金华市", "威海市", "明溪县", "十堰市", "静海区"]:
            assert place in text

    def test_jinhua_fines_in_english_and_chinese(self, seed_engine):
        with running_bot(seed_engine) as api:
            en = converse(api, 1, JINHUA_EN)
            zh = converse(api, 2, JINHUA_ZH, lang="zh")
        for reply in (en, zh):
            assert "1584.66" in reply.text and "<b>" in reply.text
            assert "金华市" in reply.text and "2020" in reply.text  # the citation
            assert reply.params["parse_mode"] == "HTML"
            assert [b["text"] for b in reply.buttons()][-1] in ("Source", "原文段落")
        assert "<i>" in en.text and "<i>" not in zh.text  # English line for English questions

    def test_follow_up_reuses_place_and_year(self, seed_engine):
        with running_bot(seed_engine) as api:
            first = converse(api, 1, JINHUA_ZH, lang="zh")
            follow = converse(api, 1, "那行政处罚呢?", lang="zh")  # place and year from the first
            converse(api, 2, JINHUA_EN)
            # the topic (fines) carries over; the year 2020 does not, as Weihai's report covers 2021
            other_place = converse(api, 2, "what about Weihai?")
        assert "<b>1584.66万元</b>" in first.text
        assert "<b>703次</b>" in follow.text and "金华市" in follow.text
        assert "威海市" in other_place.text and "44.45万元" in other_place.text and "1584.66" not in other_place.text

    def test_refusal_says_what_is_indexed(self, seed_engine):
        with running_bot(seed_engine) as api:
            reply = converse(api, 1, "How many fines did Hangzhou issue in 2020?")
        assert "1584.66" not in reply.text and "金华市" in reply.text  # lists what IS indexed
        assert not reply.buttons()

    def test_more_passages_and_source_buttons(self, seed_engine):
        with running_bot(seed_engine) as api:
            answer = converse(api, 1, JINHUA_EN)
            more = press(api, 1, answer, "More passages")
            source = press(api, 1, answer, "Source")
            assert api.wait_for("answerCallbackQuery", count=2)
        assert "Passages 2-4 of" in more.text and "<b>2.</b>" in more.text
        assert "1584.66" in source.text and "金华市" in source.text

    def test_comparison_gets_a_table_and_a_chart(self, seed_engine):
        with running_bot(seed_engine) as api:
            api.send_text(1, "Compare fines across all reports")
            [photo] = api.wait_for("sendPhoto", chat_id=1, timeout=60)
            table = api.wait_for("sendMessage", chat_id=1, where=lambda c: "<pre>" in c.text)
        assert photo.files and next(iter(photo.files.values()))[1][:8] == b"\x89PNG\r\n\x1a\n"
        assert "1584.66" in photo.params.get("caption", "")
        assert any("金华市" in c.text for c in table)

    def test_ordinary_answer_sends_no_chart(self, seed_engine):
        with running_bot(seed_engine) as api:
            converse(api, 1, JINHUA_EN)
            time.sleep(1)
            assert not [c for c in api.calls if c.method == "sendPhoto"]

    def test_sticker_and_over_long_message(self, seed_engine):
        with running_bot(seed_engine) as api:
            api.send_sticker(1)
            [sticker] = api.wait_for("sendMessage", chat_id=1)
            long = converse(api, 2, "罚款" * 300, lang="zh")
        assert "only read typed text" in sticker.text
        assert "600" in long.text and "500" in long.text and "1584.66" not in long.text

    def test_user_not_on_the_allowlist(self, seed_engine):
        with running_bot(seed_engine, allowed_users="100,101") as api:
            refusal = converse(api, 200, JINHUA_EN)
            api.send_text(200, "/start")
            api.send_sticker(200)
            api.press(200, refusal, "more:1:1")  # a forged button press gets a silent answer
            api.wait_for("answerCallbackQuery")
            assert "1584.66" in converse(api, 100, JINHUA_EN).text  # allowed users are served
            time.sleep(0.5)
            to_stranger = replies(api, 200)
        assert "only for registered staff" in refusal.text and "200" in refusal.text
        assert len(to_stranger) == 1  # one polite refusal, then silence
        assert "金华" not in refusal.text and "1584" not in refusal.text

    def test_rate_limit(self, seed_engine):
        with running_bot(seed_engine, rate_limit=2) as api:
            for _ in range(3):
                api.send_text(1, JINHUA_EN)
            sent = api.wait_for("sendMessage", count=3, chat_id=1)
        texts = [c.text for c in sent]
        assert sum("1584.66" in t for t in texts) == 2
        assert sum("faster than I can keep up" in t for t in texts) == 1

    def test_twenty_chats_at_once(self, seed_engine):
        questions = [  # (question, place and figure its reply must hold)
            (JINHUA_EN, "金华市", "1584.66"),
            (JINHUA_ZH, "金华市", "1584.66"),
            ("威海市2021年动员了多少网格员?", "威海市", "7000"),
            ("静海区2019年计划检查企业多少家次?", "静海区", "610"),
            ("How many grid workers did Weihai mobilise in 2021?", "威海市", "7000"),
            ("南京市2020年罚款多少?", "南京市", "No report"),
        ]
        chats = {3000 + i: questions[i % len(questions)] for i in range(20)}
        with running_bot(seed_engine) as api:
            for chat_id, (question, _, _) in chats.items():
                api.send_text(chat_id, question, language_code="zh" if "年" in question else "en")
            api.wait_for("sendMessage", count=20, timeout=60,
                         where=lambda c: c.chat_id in chats)
            time.sleep(0.3)
            sent = [c for c in api.calls_to("sendMessage") if c.chat_id in chats]
        assert Counter(c.chat_id for c in sent) == Counter(chats.keys())  # one reply per chat
        for call in sent:
            _, place, figure = chats[call.chat_id]
            assert place in call.text and figure in call.text, (call.chat_id, call.text)


class TestGovqaBotProcess:
    def test_govqa_bot_answers_and_stops_on_sigterm(self, seed_index_dir):
        """The real command against the fake server: answers, then SIGTERM -> exit 0."""
        with FakeBotAPI() as api:
            env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "GOVQA_TELEGRAM_BASE_URL": api.base_url,
                   "GOVQA_ALLOWED_USERS": "*",
                   "GOVQA_INDEX": str(seed_index_dir), "HF_HUB_OFFLINE": "1"}
            proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "bot"], cwd=PROJECT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                api.wait_for("getUpdates", timeout=60)
                reply = converse(api, 1, JINHUA_EN, timeout=30)
                assert "1584.66" in reply.text
                proc.send_signal(signal.SIGTERM)
                _, err = proc.communicate(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
        assert proc.returncode == 0, err


def test_citation_of_a_scanned_page_says_its_page() -> None:
    from bot.telegram.format import format_citation

    meta = Metadata(title="明溪县应急管理局2024年法治政府建设情况报告", region="明溪县", year=2024)
    hit = Hit(Chunk("d", 3, "一、主要举措", "先后召开安全生产相关工作会7次。", page=2), meta, "scan.pdf", 1.0)
    assert "§ 一、主要举措, p. 2" in format_citation(hit, "zh")
    unpaged = Hit(Chunk("d", 3, "一、主要举措", "先后召开安全生产相关工作会7次。"), meta, "a.txt", 1.0)
    assert "§ 一、主要举措\n" in format_citation(unpaged, "zh") + "\n" and "p." not in format_citation(unpaged, "zh")
