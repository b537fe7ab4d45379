"""The subcommands of ``rnnstep``: one module each, with ``run(args) -> int``, imported only when
that command runs (cli.py parses the arguments and turns errors into exit codes)."""
