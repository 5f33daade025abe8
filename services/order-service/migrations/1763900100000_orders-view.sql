-- Up Migration
-- The read model of orders for listing and filtering; the event stream stays the source of
-- truth (GET /orders/:id rebuilds from it). Written in the same transaction as the events.
CREATE TABLE orders_view (
  order_id     text        PRIMARY KEY,
  customer_id  text        NOT NULL,
  status       text        NOT NULL
    CHECK (status IN ('PENDING', 'COMPLETED', 'CANCELLED', 'FAILED_NEEDS_ATTENTION')),
  total        bigint      CHECK (total >= 0),
  currency     char(3),
  version      integer     NOT NULL CHECK (version >= 1),
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);

-- Cursor pagination walks (created_at, order_id) newest first, optionally within one filter.
CREATE INDEX orders_view_created ON orders_view (created_at DESC, order_id DESC);
CREATE INDEX orders_view_status ON orders_view (status, created_at DESC, order_id DESC);
CREATE INDEX orders_view_customer ON orders_view (customer_id, created_at DESC, order_id DESC);

-- Idempotency-Key of POST /orders: the same key with the same body answers with the same order;
-- the same key with another body is refused. The primary key settles concurrent retries.
CREATE TABLE idempotency_keys (
  key          text        PRIMARY KEY,
  request_hash text        NOT NULL,
  order_id     text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE idempotency_keys;
DROP TABLE orders_view;
