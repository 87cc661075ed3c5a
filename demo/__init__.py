"""The demo: the sandbox pipeline an operator can watch, and the demo data it seeds."""
