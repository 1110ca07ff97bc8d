"""The Telegram front-end: staff ask in chat and get the figure, the sentence and the source.

Owns: running the bot (``app``: token check, polling or webhook), the handlers
(``handlers``: commands, questions, buttons, access, errors), the fixed texts
in Chinese and English (``texts``), Telegram HTML formatting (``format``), and
message splitting, rate limiting and statistics (``limits``).
Takes in: Telegram updates and the settings; answers from ``retrieval.Engine``.
Hands on: replies to Telegram. It holds no retrieval logic.

Reading order: ``app.run_bot`` -> ``app.build_application`` -> ``handlers.GovqaBot``.
"""
