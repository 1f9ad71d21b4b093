-- Issue 4: the database cluster's history and the archive nodes' heartbeats.

-- One row per promotion of a standby (managed mode) or per change of primary seen by a node
-- (external mode: Patroni and the like promoted it). The term counts promotions: when two servers
-- both claim to be primary (an old primary came back), the one holding the highest term is the real
-- one and the other is fenced.
CREATE TABLE archive.failovers (
    id                bigserial PRIMARY KEY,
    term              integer     NOT NULL UNIQUE CHECK (term > 0),
    mode              text        NOT NULL CHECK (mode IN ('managed', 'external')),
    old_primary       text        NOT NULL,
    new_primary       text        NOT NULL,
    detected_at       timestamptz NOT NULL,
    promoted_at       timestamptz NOT NULL,
    writes_resumed_at timestamptz,
    resumed_by        text,
    node              text        NOT NULL,
    misses            integer,
    details           jsonb       NOT NULL DEFAULT '{}'::jsonb
);

COMMENT ON COLUMN archive.failovers.detected_at IS 'first missed check of the old primary';
COMMENT ON COLUMN archive.failovers.writes_resumed_at IS 'first archive batch committed on the new primary after the outage';

-- Each archive node upserts its row every few seconds; status and GET /v1/cluster read them.
CREATE TABLE archive.nodes (
    name          text PRIMARY KEY,
    http_url      text,
    broker_url    text,
    pid           bigint,
    started_at    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL,
    queue_depth   bigint      NOT NULL DEFAULT 0,
    failover_mode text
);
