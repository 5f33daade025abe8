-- Up Migration
-- Transactional outbox: rows are written in the caller's transaction and published by the relay.
CREATE TABLE outbox (
  seq          bigserial   PRIMARY KEY,
  message_id   uuid        NOT NULL UNIQUE,
  message_type text        NOT NULL,
  topic        text        NOT NULL,
  message_key  text        NOT NULL,
  value        bytea       NOT NULL,
  headers      jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

-- Idempotent inbox: one row per (consumer group, ce_id) processed, written with the handler's effects.
CREATE TABLE inbox (
  consumer_group text        NOT NULL,
  message_id     text        NOT NULL,
  message_type   text        NOT NULL,
  topic          text        NOT NULL,
  kafka_partition integer    NOT NULL,
  kafka_offset   bigint      NOT NULL,
  processed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, message_id)
);

-- Down Migration
DROP TABLE inbox;
DROP TABLE outbox;
