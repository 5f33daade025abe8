-- Up Migration
-- One row per order: the outcome of its ProcessPayment (captured or declined). The primary key
-- makes "at most one capture per order" a database guarantee; a capture must be for money.
CREATE TABLE payments (
  order_id       text        PRIMARY KEY,
  payment_id     text        NOT NULL UNIQUE,
  customer_id    text        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('CAPTURED', 'DECLINED')),
  amount_minor   bigint      NOT NULL CHECK (amount_minor >= 0),
  currency       text        NOT NULL,
  gateway_ref    text,
  decline_reason text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'CAPTURED' OR (amount_minor > 0 AND gateway_ref IS NOT NULL)),
  CHECK (status <> 'DECLINED' OR decline_reason IS NOT NULL)
);

-- One row per order: the outcome of its RefundPayment. A refund of a capture names the payment
-- and returns its full amount; a refund with nothing captured is recorded with amount 0 (and no
-- payment), so a ProcessPayment arriving after it can no longer charge the order.
CREATE TABLE refunds (
  order_id     text        PRIMARY KEY,
  payment_id   text        UNIQUE REFERENCES payments (payment_id),
  amount_minor bigint      NOT NULL CHECK (amount_minor >= 0),
  currency     text        NOT NULL,
  gateway_ref  text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (
    (payment_id IS NULL AND amount_minor = 0 AND gateway_ref IS NULL)
    OR (payment_id IS NOT NULL AND amount_minor > 0 AND gateway_ref IS NOT NULL)
  )
);

-- Down Migration
DROP TABLE refunds;
DROP TABLE payments;
