"""End-to-end tier: real Chromium through Selenium, the ``talvix`` command as a subprocess, the pipeline."""
