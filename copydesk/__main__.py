"""`python -m copydesk`: the same command line as `copydesk`."""

from .cli import main

main(prog_name="copydesk")
