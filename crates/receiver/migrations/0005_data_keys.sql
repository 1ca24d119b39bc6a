-- Personal data at rest (issue 18 item 3; src/seal.rs, docs/receiver.md "Personal data at
-- rest"). Portable SQL, as 0001 to 0004. Every data key that has sealed anything in this
-- database, with a constant sealed under it: at start-up a receiver refuses to run unless its
-- key file holds each of these keys (the same id and the same bytes), so that it never runs
-- on sealed data it cannot open, nor seals under a key the others lack. The keys themselves
-- are never stored here.
CREATE TABLE data_keys (
    kid         TEXT PRIMARY KEY,   -- the key id, as in the key file
    check_value TEXT NOT NULL,      -- "qianyue data key check" sealed under that key
    added_at    TEXT NOT NULL       -- when a receiver first sealed with it (+08:00)
);
