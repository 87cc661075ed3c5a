"""Scoring: candidate-job fit (five components and knock-outs) and running it against the database."""
