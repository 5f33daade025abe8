-- Up Migration
-- A capture found by a void (the gateway reported a charge whose answer we never got) is
-- recorded from what the gateway says, which names no customer: customer_id may be unknown.
ALTER TABLE payments ALTER COLUMN customer_id DROP NOT NULL;

-- Down Migration
UPDATE payments SET customer_id = '' WHERE customer_id IS NULL;
ALTER TABLE payments ALTER COLUMN customer_id SET NOT NULL;
