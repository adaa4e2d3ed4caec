-- The device list's order (creation time, then the numeric id as text), so a
-- list streams from PostgreSQL in order from its first row instead of after
-- a sort of the whole tailnet (src/db/devices.ts, LIST_ORDER).
CREATE INDEX devices_list_order_idx ON devices (tailnet_id, created_at, (device_id::text));
