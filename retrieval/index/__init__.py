"""Index: chunks -> one index folder (dense vectors, BM25, SQLite, facts), and reading it back.

Owns: the generation folders and their atomic switch (``store``), the FAISS
index (``dense``), BM25 (``keyword``), the facts table of reported figures
(``facts``, ``fact_store``), building and changing an index (``indexer``) and
checking one (``verify``).
Takes in: ``Document`` and ``Chunk`` records from ``ingest``, vectors from ``embeddings``.
Hands on: an ``IndexReader`` (chunks, documents, dense and keyword search) and a
``FactStore`` to the query, rank and answer stages.
"""
