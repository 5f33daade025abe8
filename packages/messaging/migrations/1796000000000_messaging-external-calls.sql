-- Up Migration
-- Calls to the outside world (a payment gateway) recorded as intents in the handler's
-- transaction, made after it commits with no transaction or partition held, then settled in a
-- second transaction. A restart resumes the intents that were never settled.
CREATE TABLE external_calls (
  id             uuid        PRIMARY KEY,
  name           text        NOT NULL,
  message_key    text        NOT NULL,
  input          jsonb       NOT NULL,
  -- The record that asked for the call: its envelope (for causation and tracing), its raw
  -- bytes and its origin (so a call that finally fails dead-letters that very record).
  consumer_group text        NOT NULL,
  origin_topic   text        NOT NULL,
  origin_partition integer   NOT NULL,
  origin_offset  bigint      NOT NULL,
  message_id     text        NOT NULL,
  value          bytea,
  headers        jsonb       NOT NULL,
  attempts       integer     NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  lease_until    timestamptz NOT NULL,
  settled_at     timestamptz,
  outcome        text
);
CREATE INDEX external_calls_unsettled ON external_calls (lease_until) WHERE settled_at IS NULL;
CREATE INDEX external_calls_by_key ON external_calls (name, message_key) WHERE settled_at IS NULL;

-- Down Migration
DROP TABLE external_calls;
