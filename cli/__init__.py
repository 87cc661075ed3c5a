"""The ``talvix`` command: the parser, the shared context, and one module per group of subcommands."""
