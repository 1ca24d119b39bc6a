-- The back office's search (issue 18 item 4; src/office.rs, docs/back-office.md). Portable SQL,
-- as 0001 to 0005. The enterprise's own identifiers, in clear beside the sealed payload or
-- form: the contract number, the USCC and the company's name are the customer company's data,
-- not a person's (no ID number, name or mobile is copied here). Filled when a row is written;
-- rows of an earlier release are filled at start-up from their opened payload or form
-- (`store::fill_search`). NULL: not filled yet.
ALTER TABLE consents ADD COLUMN contract_no TEXT;
ALTER TABLE consents ADD COLUMN uscc TEXT;
ALTER TABLE consents ADD COLUMN company TEXT;

ALTER TABLE requests ADD COLUMN contract_no TEXT;
ALTER TABLE requests ADD COLUMN uscc TEXT;
ALTER TABLE requests ADD COLUMN company TEXT;

-- The lists' order and cursor: newest first by (received_at, id) and (created_at, id); the
-- times are all `YYYY-MM-DDTHH:MM:SS+08:00`, so their text order is their time order.
CREATE INDEX consents_received ON consents (received_at, id);
CREATE INDEX consents_signed ON consents (signed_at);
CREATE INDEX consents_contract_no ON consents (contract_no);
CREATE INDEX consents_uscc ON consents (uscc);
CREATE INDEX consents_request ON consents (request_id);
CREATE INDEX requests_created ON requests (created_at, id);
CREATE INDEX requests_contract_no ON requests (contract_no);
CREATE INDEX requests_uscc ON requests (uscc);
CREATE INDEX requests_consent ON requests (consent_id);
