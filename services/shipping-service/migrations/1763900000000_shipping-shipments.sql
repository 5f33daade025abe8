-- Up Migration
-- Serials for tracking numbers (OF + 8 digits + check digit): unique by construction, never
-- reused even when a transaction rolls back (gaps are harmless).
CREATE SEQUENCE tracking_serial AS integer MINVALUE 1 MAXVALUE 99999999 NO CYCLE;

-- One row per order (PRIMARY KEY order_id: at most one shipment per order, whatever the
-- caller does). A cancel that arrives before any shipment is recorded as CANCELLED with no
-- shipment, so a late ScheduleShipment finds it and books nothing. Rejections book nothing
-- and store nothing.
CREATE TABLE shipments (
  order_id        text        PRIMARY KEY,
  status          text        NOT NULL CHECK (status IN ('SCHEDULED', 'CANCELLED')),
  shipment_id     uuid        UNIQUE,
  carrier         text,
  tracking_number text        UNIQUE CHECK (tracking_number ~ '^OF[0-9]{9}$'),
  country         char(2)     CHECK (country ~ '^[A-Z]{2}$'),
  lines           jsonb       NOT NULL DEFAULT '[]'::jsonb,
  scheduled_at    timestamptz,
  cancelled_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- A booked shipment has all of its booking; a cancel-before-schedule has none of it.
  CHECK (
    (shipment_id IS NOT NULL AND carrier IS NOT NULL AND tracking_number IS NOT NULL
       AND country IS NOT NULL AND scheduled_at IS NOT NULL)
    OR (shipment_id IS NULL AND carrier IS NULL AND tracking_number IS NULL
       AND country IS NULL AND scheduled_at IS NULL AND status = 'CANCELLED')
  ),
  CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL))
);

-- Down Migration
DROP TABLE shipments;
DROP SEQUENCE tracking_serial;
