"""Helper modules for the tests (imported as ``tests.support.<name>``); fixtures live in conftest files."""
