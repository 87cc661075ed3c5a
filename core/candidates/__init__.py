"""Candidates: resume intake and parsing, the profile file, the skills vocabulary, and the ``candidates`` table."""
