-- Up Migration
-- Append-only event streams. The primary key is the optimistic-concurrency guard: two writers
-- that read the same version both try to insert version + 1 and exactly one succeeds.
CREATE TABLE events (
  stream_id   text        NOT NULL,
  version     integer     NOT NULL CHECK (version >= 1),
  type        text        NOT NULL,
  data        jsonb       NOT NULL,
  metadata    jsonb       NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, version)
);

-- Folded state every N events; a cache that can be deleted at any time (rebuild falls back to
-- the events), e.g. when the aggregate's state shape changes.
CREATE TABLE snapshots (
  stream_id text        NOT NULL,
  version   integer     NOT NULL CHECK (version >= 1),
  state     jsonb       NOT NULL,
  taken_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, version)
);

-- Down Migration
DROP TABLE snapshots;
DROP TABLE events;
