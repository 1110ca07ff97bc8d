"""Old import path, kept for one release: the Telegram front-end is the package ``bot.telegram``."""
from .telegram.app import *  # noqa: F401,F403
from .telegram.app import open_engine as _open_engine  # noqa: F401
from .telegram.format import *  # noqa: F401,F403
from .telegram.handlers import *  # noqa: F401,F403
from .telegram.limits import *  # noqa: F401,F403
from .telegram.texts import *  # noqa: F401,F403
