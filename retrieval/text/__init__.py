"""Chinese text rules shared by every stage: the bottom of the data flow.

Owns: normalisation (width, script, numerals, dates), sentence splitting, the
lexicon (Han characters, administrative suffixes, stopwords, limits), govqa's
own jieba tokenizer, and reading figures (number + unit + what is counted).
Takes in: plain strings. Hands on: normalised strings, sentences, tokens,
``records.Figure`` values. Imports nothing of govqa but ``records`` and ``settings``.
"""
