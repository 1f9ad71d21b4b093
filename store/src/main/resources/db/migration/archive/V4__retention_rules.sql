-- Retention of one record, in hours (issue 3): each participant (sender and recipients) gets its user
-- override, else its domain's, else the default; the record keeps the longest of them. Overrides come
-- as parallel arrays of scopes ('user:sip:a@example.com', 'domain:example.com') and hours.
CREATE FUNCTION archive.retention_hours(participants text[], default_hours integer, scopes text[], hours integer[])
    RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT max(coalesce(
               (SELECT o.h FROM unnest(scopes, hours) AS o(s, h) WHERE o.s = 'user:' || p),
               (SELECT o.h FROM unnest(scopes, hours) AS o(s, h) WHERE o.s = 'domain:' || lower(split_part(p, '@', 2))),
               default_hours))
      FROM unnest(participants) AS p
$$;

-- Finding the active holds of a participant or a conversation.
CREATE INDEX holds_participant_active_idx ON archive.holds (participant) WHERE released_at IS NULL AND participant IS NOT NULL;
CREATE INDEX holds_conversation_active_idx ON archive.holds (conversation_id) WHERE released_at IS NULL AND conversation_id IS NOT NULL;
