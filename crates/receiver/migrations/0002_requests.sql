-- Signing requests opened by the carrier's back office (contract.md §5) and their events.
-- Portable SQL, as 0001: the same file runs on SQLite and on PostgreSQL.
-- The signer's name and mobile are stored as given (encryption at rest: issue 18); the
-- signer's token only as its SHA-256.
CREATE TABLE requests (
    id            TEXT PRIMARY KEY,       -- lower-case UUID v4
    token_sha256  TEXT NOT NULL UNIQUE,   -- SHA-256 hex of the signer's token
    status        TEXT NOT NULL,          -- open, verified, signed, revoked (expired is computed)
    form          TEXT NOT NULL,          -- JSON: the form as the back office sent it
    readonly      TEXT NOT NULL,          -- JSON array of field paths or prefixes
    signer_name   TEXT NOT NULL,
    signer_mobile TEXT NOT NULL,          -- normalised, 11 digits
    expires_at    TEXT NOT NULL,          -- YYYY-MM-DDTHH:MM:SS+08:00
    expires_unix  BIGINT NOT NULL,
    callback_url  TEXT,
    locale        TEXT,
    created_by    TEXT NOT NULL,          -- the API key's name
    created_at    TEXT NOT NULL,
    consent_id    TEXT
);

-- At most one event of each type per request, in the order they happened.
CREATE TABLE request_events (
    request_id TEXT NOT NULL REFERENCES requests (id),
    type       TEXT NOT NULL,             -- request.opened, request.revoked, request.expired, …
    at         TEXT NOT NULL,             -- YYYY-MM-DDTHH:MM:SS+08:00
    at_unix    BIGINT NOT NULL,
    PRIMARY KEY (request_id, type)
);
