-- One row per consent, keyed by the payload's idempotency id. Portable SQL: the same file
-- runs on SQLite and on PostgreSQL. Every value is text; JSON columns hold canonical JSON.
CREATE TABLE consents (
    id                TEXT PRIMARY KEY,   -- payload.idempotency_id (lower-case UUID v4)
    payload_sha256    TEXT NOT NULL,      -- SHA-256 hex of the canonical payload bytes
    payload           TEXT NOT NULL,      -- the canonical payload (RFC 8785), as signed
    signature         TEXT NOT NULL,      -- the envelope's signature (base64url, r||s)
    signer_key        TEXT NOT NULL,      -- RFC 7638 thumbprint of payload.public_key
    agreement_id      TEXT NOT NULL,
    agreement_version TEXT NOT NULL,
    signed_at         TEXT NOT NULL,      -- payload.signed_at
    received_at       TEXT NOT NULL,      -- when it was stored (+08:00)
    verification      TEXT NOT NULL,      -- JSON: what the receiver checked and recomputed
    receipt           TEXT NOT NULL       -- the signed receipt envelope, as answered
);
