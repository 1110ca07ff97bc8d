"""Front-ends of govqa: the ``govqa`` command line and the Telegram bot, both thin.

Owns: the terminal (``cli``: arguments and exit codes; ``commands``: one
function per command; ``render``: answers and tables as text; ``progress``)
and Telegram (``telegram``). It is the only place that knows either.
Takes in: what a user types, and only the names ``retrieval`` exports.
Hands on: printed answers, tables and one-line errors; Telegram replies.
"""
