-- Up Migration
-- A small demo catalogue (prices in EUR cents); SOLD-OUT-MUG exists with no stock.
INSERT INTO catalogue (sku, name, price_minor, currency, available) VALUES
  ('KEYBOARD-MECH', 'Mechanical keyboard', 8999, 'EUR', 50),
  ('MOUSE-WIRELESS', 'Wireless mouse', 2999, 'EUR', 100),
  ('MONITOR-27', '27" monitor', 24900, 'EUR', 20),
  ('USB-C-CABLE', 'USB-C cable, 1 m', 999, 'EUR', 500),
  ('LAPTOP-STAND', 'Aluminium laptop stand', 3950, 'EUR', 5),
  ('SOLD-OUT-MUG', 'Orderflow mug', 1200, 'EUR', 0)
ON CONFLICT (sku) DO NOTHING;

-- Down Migration
DELETE FROM catalogue
WHERE sku IN ('KEYBOARD-MECH', 'MOUSE-WIRELESS', 'MONITOR-27', 'USB-C-CABLE', 'LAPTOP-STAND', 'SOLD-OUT-MUG');
