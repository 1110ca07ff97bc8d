"""Index: chunks -> an index (dense vectors, BM25, documents, facts), and reading it back.

Owns: the one back-end interface (``backend``: ``Index``, ``Reader``,
``Writer``, ``open_index``) and its two implementations: the index folder
(``folder`` over ``store``: generation folders and their atomic switch, the
FAISS index ``dense``, BM25 ``keyword``, SQLite) and Milvus (``milvus``,
``milvus_read``, ``milvus_write``, ``milvus_client``); the facts table of
reported figures (``facts``, ``fact_store``), building and changing an index
(``indexer``) and checking a folder (``verify``).
Takes in: ``Document`` and ``Chunk`` records from ``ingest``, vectors from ``embeddings``.
Hands on: a ``Reader`` (chunks, documents, dense and keyword search within a
document mask, vocabulary, facts) to the query, rank and answer stages.
"""
