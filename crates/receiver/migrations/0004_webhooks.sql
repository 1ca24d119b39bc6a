-- The webhooks' durable delivery queue (contract.md §6, src/webhooks.rs). Portable SQL, as
-- 0001 and 0002: the same file runs on SQLite and on PostgreSQL.
-- A row is written in the transaction that records the request's event, so an event that is
-- recorded is delivered (or given up after 72 hours), across restarts and kill -9.
-- Times are unix milliseconds by the receivers' clocks.
CREATE TABLE webhook_deliveries (
    delivery_id     TEXT PRIMARY KEY,       -- lower-case UUID v4, the body's delivery_id
    request_id      TEXT NOT NULL REFERENCES requests (id),
    type            TEXT NOT NULL,          -- request.opened, request.verified, …
    url             TEXT NOT NULL,          -- the request's callback_url when it was queued
    body            TEXT NOT NULL,          -- the JSON body, the same bytes on every attempt
    queued_ms       BIGINT NOT NULL,
    attempts        BIGINT NOT NULL,        -- attempts finished so far
    next_attempt_ms BIGINT NOT NULL,        -- due from then on (while pending)
    locked_until_ms BIGINT NOT NULL,        -- a sender's lease: no other sender takes it before
    locked_by       TEXT,                   -- the sender holding the lease
    state           TEXT NOT NULL,          -- pending, delivered, given_up
    last_status     BIGINT,                 -- the last answer's HTTP status
    last_error      TEXT,                   -- or why the last attempt had none
    done_ms         BIGINT                  -- when it was delivered or given up
);

-- The sender's question: what is pending and due.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_ms);
CREATE INDEX webhook_deliveries_request ON webhook_deliveries (request_id);

-- The sender's expiry sweep: requests whose expiry has just passed.
CREATE INDEX requests_expires ON requests (expires_unix);
