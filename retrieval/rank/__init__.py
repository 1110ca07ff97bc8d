"""Ranking: a parsed question -> the best passages of the index.

Owns: hybrid search (``search``): dense and keyword (BM25) candidates of the
index back end, fused by reciprocal rank, within the reports of the place and year named.
Takes in: a ``Query`` and a ``Reader`` (``index.backend``), and the question's vector.
Hands on: ranked ``Hit`` records (chunk + its report's metadata) to ``answer``.
"""
