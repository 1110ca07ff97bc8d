"""Ranking: a parsed question -> the best passages of the index.

Owns: hybrid search (``search``): dense (FAISS) and keyword (BM25) candidates
fused by reciprocal rank, within the reports of the place and year named.
Takes in: a ``Query`` and an ``IndexReader``, and the question's vector.
Hands on: ranked ``Hit`` records (chunk + its report's metadata) to ``answer``.
"""
