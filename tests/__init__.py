"""The Talvix test suite, in three tiers: unit, integration, e2e (see docs/development.md)."""
