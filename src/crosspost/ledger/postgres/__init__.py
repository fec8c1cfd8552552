"""The ledger in PostgreSQL, for several computers sharing one queue.

`store.PostgresStore` implements `..store.Store` with the SQL of the SQLite
mixins, run through `connection` (psycopg 3, and the few rewrites of SQLite's
spelling); `migrations` is the same numbered history in PostgreSQL's words;
`copy` moves a SQLite ledger over (`crosspost ledger migrate`); `urls` tells a
URL from a path.  Nothing is imported here: psycopg loads only when a
`postgresql://` ledger is opened.
"""
