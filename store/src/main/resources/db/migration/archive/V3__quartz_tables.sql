-- Quartz's clustered JDBC job store (io.archiver.retention.schedule.ArchiveScheduler).
--
-- The tables, columns, keys and indexes are those of Quartz 2.5.2's PostgreSQL script
-- org/quartz/impl/jdbcjobstore/tables_postgres.sql (in quartz-2.5.2.jar), rewritten for this schema:
--   * in schema archive, named archive.qrtz_* in lower case. Quartz is configured with
--     org.quartz.jobStore.tablePrefix = archive.qrtz_ and its unquoted SQL (archive.qrtz_TRIGGERS)
--     folds to these names;
--   * without the script's DROP TABLE statements and its trailing COMMIT (Flyway runs each migration
--     in a transaction of its own);
--   * plus the two row-lock rows of the cluster (instance name 'archiver'), see the end.
-- When Quartz is upgraded, compare with the new version's tables_postgres.sql and add a migration.
-- Only Quartz writes these tables; never point a non-clustered scheduler at them.

CREATE TABLE archive.qrtz_job_details
(
    sched_name        varchar(120) NOT NULL,
    job_name          varchar(200) NOT NULL,
    job_group         varchar(200) NOT NULL,
    description       varchar(250) NULL,
    job_class_name    varchar(250) NOT NULL,
    is_durable        bool         NOT NULL,
    is_nonconcurrent  bool         NOT NULL,
    is_update_data    bool         NOT NULL,
    requests_recovery bool         NOT NULL,
    job_data          bytea        NULL,
    PRIMARY KEY (sched_name, job_name, job_group)
);

CREATE TABLE archive.qrtz_triggers
(
    sched_name     varchar(120) NOT NULL,
    trigger_name   varchar(200) NOT NULL,
    trigger_group  varchar(200) NOT NULL,
    job_name       varchar(200) NOT NULL,
    job_group      varchar(200) NOT NULL,
    description    varchar(250) NULL,
    next_fire_time bigint       NULL,
    prev_fire_time bigint       NULL,
    priority       integer      NULL,
    trigger_state  varchar(16)  NOT NULL,
    trigger_type   varchar(8)   NOT NULL,
    start_time     bigint       NOT NULL,
    end_time       bigint       NULL,
    calendar_name  varchar(200) NULL,
    misfire_instr  smallint     NULL,
    job_data       bytea        NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, job_name, job_group)
        REFERENCES archive.qrtz_job_details (sched_name, job_name, job_group)
);

CREATE TABLE archive.qrtz_simple_triggers
(
    sched_name      varchar(120) NOT NULL,
    trigger_name    varchar(200) NOT NULL,
    trigger_group   varchar(200) NOT NULL,
    repeat_count    bigint       NOT NULL,
    repeat_interval bigint       NOT NULL,
    times_triggered bigint       NOT NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES archive.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE archive.qrtz_cron_triggers
(
    sched_name      varchar(120) NOT NULL,
    trigger_name    varchar(200) NOT NULL,
    trigger_group   varchar(200) NOT NULL,
    cron_expression varchar(120) NOT NULL,
    time_zone_id    varchar(80),
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES archive.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE archive.qrtz_simprop_triggers
(
    sched_name    varchar(120)   NOT NULL,
    trigger_name  varchar(200)   NOT NULL,
    trigger_group varchar(200)   NOT NULL,
    str_prop_1    varchar(512)   NULL,
    str_prop_2    varchar(512)   NULL,
    str_prop_3    varchar(512)   NULL,
    int_prop_1    int            NULL,
    int_prop_2    int            NULL,
    long_prop_1   bigint         NULL,
    long_prop_2   bigint         NULL,
    dec_prop_1    numeric(13, 4) NULL,
    dec_prop_2    numeric(13, 4) NULL,
    bool_prop_1   bool           NULL,
    bool_prop_2   bool           NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES archive.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE archive.qrtz_blob_triggers
(
    sched_name    varchar(120) NOT NULL,
    trigger_name  varchar(200) NOT NULL,
    trigger_group varchar(200) NOT NULL,
    blob_data     bytea        NULL,
    PRIMARY KEY (sched_name, trigger_name, trigger_group),
    FOREIGN KEY (sched_name, trigger_name, trigger_group)
        REFERENCES archive.qrtz_triggers (sched_name, trigger_name, trigger_group)
);

CREATE TABLE archive.qrtz_calendars
(
    sched_name    varchar(120) NOT NULL,
    calendar_name varchar(200) NOT NULL,
    calendar      bytea        NOT NULL,
    PRIMARY KEY (sched_name, calendar_name)
);

CREATE TABLE archive.qrtz_paused_trigger_grps
(
    sched_name    varchar(120) NOT NULL,
    trigger_group varchar(200) NOT NULL,
    PRIMARY KEY (sched_name, trigger_group)
);

CREATE TABLE archive.qrtz_fired_triggers
(
    sched_name        varchar(120) NOT NULL,
    entry_id          varchar(95)  NOT NULL,
    trigger_name      varchar(200) NOT NULL,
    trigger_group     varchar(200) NOT NULL,
    instance_name     varchar(200) NOT NULL,
    fired_time        bigint       NOT NULL,
    sched_time        bigint       NOT NULL,
    priority          integer      NOT NULL,
    state             varchar(16)  NOT NULL,
    job_name          varchar(200) NULL,
    job_group         varchar(200) NULL,
    is_nonconcurrent  bool         NULL,
    requests_recovery bool         NULL,
    PRIMARY KEY (sched_name, entry_id)
);

CREATE TABLE archive.qrtz_scheduler_state
(
    sched_name        varchar(120) NOT NULL,
    instance_name     varchar(200) NOT NULL,
    last_checkin_time bigint       NOT NULL,
    checkin_interval  bigint       NOT NULL,
    PRIMARY KEY (sched_name, instance_name)
);

CREATE TABLE archive.qrtz_locks
(
    sched_name varchar(120) NOT NULL,
    lock_name  varchar(40)  NOT NULL,
    PRIMARY KEY (sched_name, lock_name)
);

CREATE INDEX idx_qrtz_j_req_recovery
    ON archive.qrtz_job_details (sched_name, requests_recovery);
CREATE INDEX idx_qrtz_j_grp
    ON archive.qrtz_job_details (sched_name, job_group);

CREATE INDEX idx_qrtz_t_j
    ON archive.qrtz_triggers (sched_name, job_name, job_group);
CREATE INDEX idx_qrtz_t_jg
    ON archive.qrtz_triggers (sched_name, job_group);
CREATE INDEX idx_qrtz_t_c
    ON archive.qrtz_triggers (sched_name, calendar_name);
CREATE INDEX idx_qrtz_t_g
    ON archive.qrtz_triggers (sched_name, trigger_group);
CREATE INDEX idx_qrtz_t_state
    ON archive.qrtz_triggers (sched_name, trigger_state);
CREATE INDEX idx_qrtz_t_n_state
    ON archive.qrtz_triggers (sched_name, trigger_name, trigger_group, trigger_state);
CREATE INDEX idx_qrtz_t_n_g_state
    ON archive.qrtz_triggers (sched_name, trigger_group, trigger_state);
CREATE INDEX idx_qrtz_t_next_fire_time
    ON archive.qrtz_triggers (sched_name, next_fire_time);
CREATE INDEX idx_qrtz_t_nft_st
    ON archive.qrtz_triggers (sched_name, trigger_state, next_fire_time);
CREATE INDEX idx_qrtz_t_nft_misfire
    ON archive.qrtz_triggers (sched_name, misfire_instr, next_fire_time);
CREATE INDEX idx_qrtz_t_nft_st_misfire
    ON archive.qrtz_triggers (sched_name, misfire_instr, next_fire_time, trigger_state);
CREATE INDEX idx_qrtz_t_nft_st_misfire_grp
    ON archive.qrtz_triggers (sched_name, misfire_instr, next_fire_time, trigger_group, trigger_state);

CREATE INDEX idx_qrtz_ft_trig_inst_name
    ON archive.qrtz_fired_triggers (sched_name, instance_name);
CREATE INDEX idx_qrtz_ft_inst_job_req_rcvry
    ON archive.qrtz_fired_triggers (sched_name, instance_name, requests_recovery);
CREATE INDEX idx_qrtz_ft_j_g
    ON archive.qrtz_fired_triggers (sched_name, job_name, job_group);
CREATE INDEX idx_qrtz_ft_jg
    ON archive.qrtz_fired_triggers (sched_name, job_group);
CREATE INDEX idx_qrtz_ft_t_g
    ON archive.qrtz_fired_triggers (sched_name, trigger_name, trigger_group);
CREATE INDEX idx_qrtz_ft_tg
    ON archive.qrtz_fired_triggers (sched_name, trigger_group);

-- Not in Quartz's script: the cluster's two lock rows, present from the start. Quartz's
-- StdRowLockSemaphore inserts a missing row on first use; when two nodes start together on a fresh
-- database both insert it, and on PostgreSQL the loser's transaction is aborted (duplicate key), so
-- its first scheduler operation fails. 'archiver' is the cluster's Quartz instance name
-- (ArchiveScheduler.CLUSTER_NAME); the lock names are Quartz's LOCK_TRIGGER_ACCESS and LOCK_STATE_ACCESS.
INSERT INTO archive.qrtz_locks (sched_name, lock_name) VALUES
    ('archiver', 'TRIGGER_ACCESS'),
    ('archiver', 'STATE_ACCESS');

COMMENT ON TABLE archive.qrtz_scheduler_state IS 'Quartz cluster: one row per scheduler instance (archive node) and its last check-in';
COMMENT ON TABLE archive.qrtz_fired_triggers IS 'Quartz cluster: triggers being fired or jobs running, per instance; recovered from a dead instance';
