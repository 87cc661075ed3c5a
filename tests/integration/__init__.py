"""Integration tier: a real Postgres (embedded, or TALVIX_TEST_DATABASE_URL); no browser."""
