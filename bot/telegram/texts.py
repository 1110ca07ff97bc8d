"""Every fixed text the bot sends, in English and Chinese."""
from __future__ import annotations

from typing import Any

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
        "unavailable": "The index is unavailable, try again in a moment.",
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
        "verdict_yes": "Yes.",
        "verdict_no": "No.",
        "verdict_not_stated": "Not stated in the reports. The nearest passage:",
        "verdict_planned": "Yes - planned, not yet done.",
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
        "unavailable": "索引暂时无法访问,请稍后再试。",
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
        "verdict_yes": "是。",
        "verdict_no": "否。",
        "verdict_not_stated": "报告中未提及。最相关的原文:",
        "verdict_planned": "是(计划中,尚未完成)。",
    },
}

# The project's demo question (Makefile DEMO), known to be answered when its report is indexed.
DEMO_REPORT = ("金华市", 2020)
DEFAULT_EXAMPLES = ["金华市2020年罚款多少?", "How many fines did Jinhua issue in 2020?"]


def T(lang: str, key: str, **values: Any) -> str:
    """A fixed text in ``lang`` ("zh" or "en"), with ``values`` filled in."""
    return TEXTS.get(lang, TEXTS["en"])[key].format(**values)
