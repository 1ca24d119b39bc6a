-- Staff devices and consents witnessed in person (issue 19; src/staff.rs, docs/staff.md).
-- Portable SQL, as 0001 to 0005: the same file runs on SQLite and on PostgreSQL.

-- A one-time enrolment code the back office made for a named account manager: stored only as
-- the SHA-256 of its canonical 8 characters. `device_id` is the id the device will have; it is
-- chosen when the code is made, so that the back office can list and revoke it at once.
CREATE TABLE staff_enrolments (
    code_sha256  TEXT PRIMARY KEY,
    device_id    TEXT NOT NULL UNIQUE,  -- lower-case UUID v4
    staff_id     TEXT NOT NULL,
    staff_name   TEXT NOT NULL,
    created_by   TEXT NOT NULL,         -- the API key's name
    created_at   TEXT NOT NULL,         -- +08:00
    expires_unix BIGINT NOT NULL,
    used         BIGINT NOT NULL,       -- 1 once a device enrolled with it
    revoked_unix BIGINT                 -- revoked before it was used
);

-- An enrolled device: its public key (P-256 JWK) and the key's RFC 7638 thumbprint.
CREATE TABLE devices (
    id             TEXT PRIMARY KEY,    -- the enrolment's device_id
    staff_id       TEXT NOT NULL,
    staff_name     TEXT NOT NULL,
    public_jwk     TEXT NOT NULL,
    key_thumbprint TEXT NOT NULL,
    enrolled_at    TEXT NOT NULL,       -- +08:00
    revoked_at     TEXT                 -- +08:00; NULL while it may witness
);
CREATE INDEX devices_by_staff ON devices (staff_id);

-- The staff member a request is assigned to (NULL: signed online by the signer alone), and,
-- once signed under a witness, who witnessed it (JSON `{"staff": {"id", "name"}, "device"}`,
-- as the `request.signed` webhook carries it).
ALTER TABLE requests ADD COLUMN assignee TEXT;
ALTER TABLE requests ADD COLUMN witness TEXT;
CREATE INDEX requests_by_assignee ON requests (assignee);

-- The photos a witness record names, by their SHA-256 (hex), sealed (`qsealed1.…` of the
-- base64 of the bytes, bound to this table, column and digest). `consent_id` is set when the
-- consent that names it is stored.
CREATE TABLE attachments (
    sha256      TEXT PRIMARY KEY,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    bytes       TEXT NOT NULL,
    device_id   TEXT NOT NULL,          -- the device that uploaded it
    uploaded_at TEXT NOT NULL,          -- +08:00
    consent_id  TEXT
);
