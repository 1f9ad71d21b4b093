-- Export jobs of the admin API (issue 5, item 2; io.archiver.compliance.export.ExportJobs):
-- POST /v1/exports answers 202 with the id of a row here, and the job runs on the node that accepted it,
-- writing its files under that node's exports.dir/<id>/. The row is the job's state, so it survives a
-- restart of the node: at start a node takes up again its jobs that were queued or running (an
-- interrupted export starts over in an emptied directory: nothing of it was marked exported, see
-- io.archiver.compliance.export.Exporter), up to 3 attempts, after which the job is failed.

CREATE TABLE archive.exports (
    id               text        PRIMARY KEY,
    state            text        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    query            jsonb       NOT NULL,
    requested_by     text        NOT NULL,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    node             text        NOT NULL,
    directory        text        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    started_at       timestamptz NULL,
    finished_at      timestamptz NULL,
    records_total    bigint      NULL,
    records_done     bigint      NOT NULL DEFAULT 0,
    files            bigint      NULL,
    bytes            bigint      NULL,
    marked_exported  bigint      NULL,
    manifest_sha256  text        NULL,
    error            text        NULL
);

CREATE INDEX exports_unfinished_idx ON archive.exports (node, requested_at) WHERE state IN ('queued', 'running');

COMMENT ON TABLE archive.exports IS 'Export jobs of POST /v1/exports: state survives a node restart (queued and running jobs are resumed at start)';
