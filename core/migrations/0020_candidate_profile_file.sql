-- Intelligence agents (documents): the candidate's profile file (TOML), kept so a re-parse of the resume
-- can merge it again ("the profile file wins"). It holds personal data (email, phone, CTC, answers), so it
-- is stored AES-256-GCM encrypted like email and phone.
ALTER TABLE candidates ADD COLUMN IF NOT EXISTS profile_file_enc bytea;
