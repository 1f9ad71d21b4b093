-- Full-text search over the bodies (issue 5, GET /v1/records?q=...): PostgreSQL text search with the
-- 'simple' configuration (lower-cased words, no stemming, no stop words: it treats every language alike,
-- Latin, Cyrillic or any other script the parser splits into words), queried with
--   to_tsvector('simple', coalesce(body, '')) @@ websearch_to_tsquery('simple', $q)
-- The query must use this same expression, or the planner does not see the index.
--
-- The index is made on the partitioned table, so PostgreSQL creates it on every existing day partition
-- (in this migration's transaction: on a large archive this takes a while, under a lock that stops the
-- writer until it is done) and for every day partition attached later. archive.ensure_day_partition (V2)
-- creates a day's table with LIKE archive.messages without INCLUDING INDEXES and then ATTACHes it;
-- ATTACH PARTITION creates on the new partition each index of the partitioned table it does not find
-- there (or attaches an equivalent one), so new days get this index too, with no change to the function
-- (checked by io.archiver.compliance.search.FullTextIndexTest).
--
-- Cost: one more index paid on every COPY of the writer (the tsvector of each body and its GIN entries;
-- GIN's pending list, fastupdate on by default, batches the inserts).
CREATE INDEX messages_body_fts_idx ON archive.messages USING gin (to_tsvector('simple', coalesce(body, '')));

COMMENT ON INDEX archive.messages_body_fts_idx IS
    'Full-text search over body: query with to_tsvector(''simple'', coalesce(body, '''')) @@ websearch_to_tsquery(''simple'', ...)';
