-- Suspension (docs/credentials.md#revocation-and-suspension). OB 3.0 allows one credentialStatus object, so a
-- credential that can be both revoked and suspended carries one `message` entry of 2 bits a credential
-- (0 valid, 1 revoked, 2 suspended) instead of a 1-bit `revocation` entry. `length` stays the number of
-- entries; `bits` holds `length * status_size` bits.

ALTER TABLE status_lists DROP CONSTRAINT status_lists_purpose_check;
ALTER TABLE status_lists ADD CONSTRAINT status_lists_purpose_check
  CHECK (purpose IN ('revocation', 'suspension', 'message'));
ALTER TABLE status_lists ADD COLUMN status_size integer NOT NULL DEFAULT 1
  CHECK (status_size IN (1, 2) AND (status_size = 2) = (purpose = 'message'));

ALTER TABLE credentials ADD COLUMN suspended_at timestamptz;
ALTER TABLE credentials ADD COLUMN suspension_reason text;
