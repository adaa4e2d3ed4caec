-- Flat cost as a tailnet grows: no lookup on the request path scans a tailnet's devices.

-- Picking a unique name at registration reads the names that start with the hostname's label:
-- a pattern index serves `lower(name) LIKE 'web%'` whatever the database's collation.
CREATE INDEX devices_name_pattern_idx ON devices (tailnet_id, lower(name) text_pattern_ops);

-- Device-list filters pushed into SQL: ?tags= (all of them) and ?hostname=.
CREATE INDEX devices_tags_idx ON devices USING gin (tags);
CREATE INDEX devices_hostname_idx ON devices (tailnet_id, hostname);
