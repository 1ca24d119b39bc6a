-- The signer's identity (issue 17): the one-time codes sent by SMS, the request's record of
-- its verification, and the consent's request. Portable SQL, as 0001 and 0002.
-- A code is stored only as the SHA-256 of `<request id>:<code>`; only the newest code of a
-- request counts.
CREATE TABLE request_codes (
    id           TEXT PRIMARY KEY,        -- lower-case UUID v4 (also the SMS gateway's text id)
    request_id   TEXT NOT NULL REFERENCES requests (id),
    code_sha256  TEXT NOT NULL,
    sent_unix    BIGINT NOT NULL,
    expires_unix BIGINT NOT NULL,
    tries        BIGINT NOT NULL,         -- wrong tries so far
    used         BIGINT NOT NULL          -- 1 once it verified the signer
);
CREATE INDEX request_codes_by_request ON request_codes (request_id, sent_unix);

-- When the signer was verified, and the masked mobile the code went to (what the signed
-- payload's `identity` must equal).
ALTER TABLE requests ADD COLUMN verified_at TEXT;
ALTER TABLE requests ADD COLUMN verified_mobile_mask TEXT;

-- The request a consent answers (NULL: open mode).
ALTER TABLE consents ADD COLUMN request_id TEXT;
