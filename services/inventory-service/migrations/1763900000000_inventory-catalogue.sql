-- Up Migration
-- Stock per SKU. available + reserved + committed is the SKU's stock; only admin changes it.
-- The CHECKs make "never negative" a database guarantee, not just a domain rule.
CREATE TABLE catalogue (
  sku         text        PRIMARY KEY CHECK (sku ~ '^[A-Z0-9][A-Z0-9-]{0,63}$'),
  name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  price_minor bigint      NOT NULL CHECK (price_minor >= 0),
  currency    char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  available   integer     NOT NULL CHECK (available >= 0),
  reserved    integer     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  committed   integer     NOT NULL DEFAULT 0 CHECK (committed >= 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per order: what the saga's commands did to stock, so each command has one effect
-- and a repeated command can answer with the recorded outcome.
CREATE TABLE reservations (
  order_id      text        PRIMARY KEY,
  status        text        NOT NULL
    CHECK (status IN ('RESERVED', 'REJECTED', 'COMMITTED', 'RELEASED', 'RESTOCKED')),
  lines         jsonb       NOT NULL DEFAULT '[]'::jsonb,
  amount_minor  bigint      CHECK (amount_minor >= 0),
  currency      char(3),
  reject_reason text,
  reject_skus   text[]      NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE reservations;
DROP TABLE catalogue;
