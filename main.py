"""`python main.py` does what the `caretill` command does: with no arguments, the window."""

import multiprocessing

from pos_app.cli.main import run

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a frozen build's `check --full` workers start here
    run()
