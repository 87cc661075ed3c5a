"""Jobs: the boards and ATS APIs they come from, discovery, job-description parsing, and the ``jobs`` table."""
