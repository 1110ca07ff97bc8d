"""A fake Telegram Bot API server on 127.0.0.1, for tests that run the real bot.

python-telegram-bot (httpx) POSTs every call to ``/bot<token>/<method>``:
form-encoded with JSON-encoded values (``reply_markup``, ``commands``, numbers,
booleans; plain strings stay as they are), multipart when a file is uploaded
(``sendPhoto``), or - from other clients - a JSON body. The server records
every call, lets a test inject updates (text, stickers, photos, voice,
documents, button presses) and answers ``getUpdates`` long polls with them.

    with FakeBotAPI() as api:
        app = build_application(engine, replace(settings, telegram_token=api.token,
                                                telegram_base_url=api.base_url))
        with RunningBot(app, api):
            api.send_text(user_id=1, text="/start")
            [call] = api.wait_for("sendMessage", chat_id=1)

Nothing here touches the network beyond loopback.
"""
from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl

DEFAULT_TOKEN = "123456789:TEST-token_for-the-fake-bot-api"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "govqa test bot",
    "username": "govqa_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters that are plain strings on the wire; everything else is JSON-encoded.
STRING_PARAMS = {
    "text", "caption", "parse_mode", "callback_query_id", "action", "language_code",
    "url", "secret_token", "inline_message_id", "business_connection_id", "photo",
}
MAX_LONG_POLL_S = 10.0


@dataclass
class Call:
    """One request the bot made: method name, decoded parameters, uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None  # what the fake answered (the sent message, True, ...)
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        return self.params.get("text") or self.params.get("caption") or ""

    def buttons(self) -> list[dict]:
        """The inline keyboard buttons of this call, flattened."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    def button(self, label: str) -> dict:
        """The first button whose text contains ``label``."""
        for b in self.buttons():
            if label in b["text"]:
                return b
        raise KeyError(f"no button {label!r} in {self.buttons()}")


class FakeBotAPI:
    """A Bot API stand-in: ``base_url`` goes to ``ApplicationBuilder.base_url``."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.commands: dict[str, list[dict]] = {}
        self._updates: list[dict] = []  # not yet confirmed by a getUpdates offset
        self._messages: dict[int, dict] = {}  # message_id -> message the bot sent
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._cond = threading.Condition()
        self._closing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-bot-api", daemon=True)

    # -- lifecycle ----------------------------------------------------------

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> "FakeBotAPI":
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeBotAPI":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- injecting updates --------------------------------------------------

    def inject(self, update: dict) -> int:
        """Queue a raw update (without ``update_id``); return its id."""
        with self._cond:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            self._cond.notify_all()
        return update["update_id"]

    def send_message(self, user_id: int, chat_id: int | None = None, language_code: str = "en",
                     **content: Any) -> int:
        """Inject a message from a user (private chat unless ``chat_id`` differs)."""
        chat_id = user_id if chat_id is None else chat_id
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id == user_id else "group",
                     **({"first_name": f"user{user_id}"} if chat_id == user_id else {"title": "staff"})},
            "from": _user(user_id, language_code),
            **content,
        }
        return self.inject({"message": message})

    def send_text(self, user_id: int, text: str, **kw: Any) -> int:
        """Inject a text message; commands get their ``bot_command`` entity like Telegram adds."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.send_message(user_id, **kw, **content)

    def send_sticker(self, user_id: int, **kw: Any) -> int:
        sticker = {"file_id": "CAACAgIAAxk", "file_unique_id": "AgADsticker", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
        return self.send_message(user_id, sticker=sticker, **kw)

    def send_photo(self, user_id: int, **kw: Any) -> int:
        photo = [{"file_id": "AgACAgIAAxk", "file_unique_id": "AQADphoto", "width": 90, "height": 90}]
        return self.send_message(user_id, photo=photo, **kw)

    def send_voice(self, user_id: int, **kw: Any) -> int:
        voice = {"file_id": "AwACAgIAAxk", "file_unique_id": "AgADvoice", "duration": 3}
        return self.send_message(user_id, voice=voice, **kw)

    def send_document(self, user_id: int, **kw: Any) -> int:
        document = {"file_id": "BQACAgIAAxk", "file_unique_id": "AgADdoc", "file_name": "report.pdf"}
        return self.send_message(user_id, document=document, **kw)

    def press(self, user_id: int, message_call: Call, data: str, language_code: str = "en") -> int:
        """Inject a button press (callback query) on a message the bot sent."""
        message = self.message_sent_by(message_call)
        query = {
            "id": str(next(self._callback_ids)),
            "from": _user(user_id, language_code),
            "chat_instance": f"ci{message['chat']['id']}",
            "message": message,
            "data": data,
        }
        return self.inject({"callback_query": query})

    def press_inline(self, user_id: int, data: str, language_code: str = "en") -> int:
        """Inject a button press on an inline-mode message: the query has an
        ``inline_message_id`` and no ``message``."""
        query = {
            "id": str(next(self._callback_ids)),
            "from": _user(user_id, language_code),
            "chat_instance": "ci-inline",
            "inline_message_id": f"inline-{user_id}",
            "data": data,
        }
        return self.inject({"callback_query": query})

    def message_sent_by(self, call: Call) -> dict:
        """The message object a recorded sendMessage/editMessageText produced."""
        return self._messages[call.result["message_id"]]

    # -- inspecting calls ---------------------------------------------------

    def calls_to(self, method: str, **match: Any) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method
                    and all(c.params.get(k) == v for k, v in match.items())]

    def wait_for(self, method: str, count: int = 1, timeout: float = 20.0,
                 where: Callable[[Call], bool] | None = None, **match: Any) -> list[Call]:
        """Wait until at least ``count`` matching calls arrived; return them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method
                         and all(c.params.get(k) == v for k, v in match.items())
                         and (where is None or where(c))]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(c.method, c.params.get("chat_id"), c.text[:80]) for c in self.calls[-15:]]
                    raise TimeoutError(f"{count} x {method} {match} not seen in {timeout}s; last calls: {seen}")
                self._cond.wait(left)

    # -- serving (called from handler threads) ------------------------------

    def handle(self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Any:
        """Answer one Bot API method; raise ``ApiError`` for Telegram-style errors."""
        if method == "getUpdates":
            return self._get_updates(params)  # not recorded until it returns
        call = Call(method, params, files)
        with self._cond:
            call.result = self._result(call)
            self.calls.append(call)
            self._cond.notify_all()
        return call.result

    def _result(self, call: Call) -> Any:
        method, params = call.method, call.params
        if method == "getMe":
            return BOT_USER
        if method in ("deleteWebhook", "setWebhook", "sendChatAction", "answerCallbackQuery",
                      "deleteMyCommands", "close", "logOut"):
            return True
        if method == "setMyCommands":
            self.commands[params.get("language_code", "")] = params.get("commands", [])
            return True
        if method == "getMyCommands":
            return self.commands.get(params.get("language_code", ""), [])
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if method in ("sendMessage", "sendPhoto"):
            return self._new_message(call)
        if method == "editMessageText":
            return self._edit_message(call)
        raise ApiError(404, "Not Found: method not found")

    def _new_message(self, call: Call) -> dict:
        if "chat_id" not in call.params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if call.method == "sendMessage" and not str(call.params.get("text", "")).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(call.params.get("text", "")) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        chat_id = call.params["chat_id"]
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if isinstance(chat_id, int) and chat_id > 0 else "group"},
            "from": BOT_USER,
        }
        if call.method == "sendPhoto":
            message["photo"] = [{"file_id": "sent-photo", "file_unique_id": "sent", "width": 800, "height": 600}]
            if "caption" in call.params:
                message["caption"] = call.params["caption"]
        else:
            message["text"] = call.params["text"]
        if "reply_markup" in call.params:
            message["reply_markup"] = call.params["reply_markup"]
        self._messages[message["message_id"]] = message
        return message

    def _edit_message(self, call: Call) -> dict:
        message = self._messages.get(call.params.get("message_id"))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        message = {**message, "text": call.params["text"], "edit_date": int(time.time())}
        message.pop("reply_markup", None)
        if "reply_markup" in call.params:
            message["reply_markup"] = call.params["reply_markup"]
        self._messages[message["message_id"]] = message
        return message

    def _get_updates(self, params: dict[str, Any]) -> list[dict]:
        """Confirm updates below ``offset``; return queued ones or wait up to ``timeout``."""
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), MAX_LONG_POLL_S)
        deadline = time.monotonic() + wait
        with self._cond:
            self.calls.append(Call("getUpdates", params))
            self._cond.notify_all()
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or self._closing:
                    return self._updates[:limit]
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                self._cond.wait(left)


class ApiError(Exception):
    """A Telegram-style error answer: HTTP status and description."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


def _user(user_id: int, language_code: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
    if language_code:
        user["language_code"] = language_code
    return user


# -- HTTP plumbing -----------------------------------------------------------


def _make_handler(api: FakeBotAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, like httpx expects

        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            self._serve()

        def do_GET(self) -> None:  # noqa: N802
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _serve(self) -> None:
            token, method = _split_path(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if token != api.token:
                self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                return
            try:
                params, files = decode_request(self.headers.get("Content-Type", ""), body)
                result = api.handle(method, params, files)
            except ApiError as exc:
                self._reply(exc.code, {"ok": False, "error_code": exc.code, "description": exc.description})
                return
            self._reply(200, {"ok": True, "result": result})

        def _reply(self, status: int, payload: dict) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (e.g. a long poll cut at shutdown): the
                # updates stay queued until a later getUpdates confirms them.
                self.close_connection = True

    return Handler


def _split_path(path: str) -> tuple[str, str]:
    """``/bot<token>/<method>`` -> (token, method)."""
    path = path.split("?", 1)[0]
    prefix, _, method = path.rpartition("/")
    token = prefix.removeprefix("/bot") if prefix.startswith("/bot") else ""
    return token, method


def decode_request(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Decode a Bot API request body into parameters and uploaded files."""
    if content_type.startswith("application/json"):
        return (json.loads(body) if body else {}), {}
    if content_type.startswith("multipart/form-data"):
        return _decode_multipart(content_type, body)
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {name: _decode_value(name, value) for name, value in pairs}, {}


def _decode_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, payload)
        else:
            params[name] = _decode_value(name, payload.decode("utf-8"))
    return params, files


def _decode_value(name: str, value: str) -> Any:
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


# -- running a real Application against the fake -----------------------------


class RunningBot:
    """Run a python-telegram-bot ``Application`` with long polling in a thread.

    Uses the same ``serve()`` as ``govqa bot`` (``run_polling`` without signal
    handlers); leaving the block stops it with ``stop_running()`` and waits for
    a clean shutdown.
    """

    def __init__(self, application: Any, api: FakeBotAPI, poll_timeout: float = 2.0,
                 startup_timeout: float = 20.0) -> None:
        self.application, self.api = application, api
        self.poll_timeout, self.startup_timeout = poll_timeout, startup_timeout
        self.loop: asyncio.AbstractEventLoop | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="bot-under-test", daemon=True)

    def _run(self) -> None:
        from bot.telegram.app import serve

        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        try:
            serve(self.application, stop_signals=None, poll_timeout=self.poll_timeout)
        except BaseException as exc:  # surfaced by __enter__/__exit__
            self.error = exc

    def __enter__(self) -> "RunningBot":
        seen = len(self.api.calls_to("getUpdates"))
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while len(self.api.calls_to("getUpdates")) <= seen or not self.application.running:
            if self.error or not self._thread.is_alive():
                raise RuntimeError(f"bot failed to start: {self.error!r}")
            if time.monotonic() > deadline:
                raise TimeoutError("bot did not start polling")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.application.stop_running)
        self._thread.join(timeout=20)
        if self._thread.is_alive():
            raise RuntimeError("bot did not shut down within 20 s")
        if self.error and not exc[0]:
            raise self.error
