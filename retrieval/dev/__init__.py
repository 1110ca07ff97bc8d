"""Developer tools: measuring the whole pipeline, never used to answer a question.

Owns: ``govqa eval`` scoring on QA files (``evaluation``) and ``govqa bench``
speed/memory/recall figures against floors measured in the same run (``bench``).
Takes in: an index, QA files, the engine's public API.
Hands on: printed summary lines and tables (through ``bot``'s CLI).
"""
