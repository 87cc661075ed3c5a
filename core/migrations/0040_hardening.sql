-- Hardening (0040-0049, issue 11).
-- A value encrypted with the key the database's personal data is written with. Every command that opens
-- the database decrypts it: a host started with another TALVIX_ENCRYPTION_KEY is refused at once, instead
-- of writing new candidates no other host can read (core.crypto.verify_key).
CREATE TABLE IF NOT EXISTS key_check (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    canary      bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- RLS with no policies, like every table: Supabase's API keys (anon, authenticated) see no rows.
ALTER TABLE key_check ENABLE ROW LEVEL SECURITY;
