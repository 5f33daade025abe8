-- Up Migration
-- One row per order: the saga's whole state as jsonb (the domain's SagaState), plus the columns
-- the service queries on. `version` is the optimistic-concurrency token (UPDATE ... WHERE
-- version = expected); `deadline_at` mirrors state.deadline.dueAt for the deadline scheduler.
CREATE TABLE order_saga (
  order_id       text        PRIMARY KEY,
  version        integer     NOT NULL CHECK (version >= 1),
  status         text        NOT NULL
    CHECK (status IN ('RUNNING', 'COMPENSATING', 'COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION')),
  state          jsonb       NOT NULL,
  deadline_at    timestamptz,
  -- The OrderPlaced correlation id, so messages the scheduler or an operator sends (no consumed
  -- record to inherit it from) still belong to the order's flow.
  correlation_id text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- The scheduler's poll: only sagas waiting on something, earliest first.
CREATE INDEX order_saga_deadline_idx ON order_saga (deadline_at) WHERE deadline_at IS NOT NULL;

-- Down Migration
DROP TABLE order_saga;
