"""Front-ends of govqa: the ``govqa`` command line and the Telegram bot.
Both are thin: every answer comes from ``retrieval.Engine``."""
