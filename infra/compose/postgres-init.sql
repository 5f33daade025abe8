-- One database per service, created on the compose Postgres's first start (empty data dir).
-- Must match the `database` of each entry in packages/contracts/src/services.ts, the list
-- `./dev stack up` creates on a local server.
CREATE DATABASE orderflow_orders;
CREATE DATABASE orderflow_inventory;
CREATE DATABASE orderflow_payments;
CREATE DATABASE orderflow_shipping;
CREATE DATABASE orderflow_saga;
