"""`python main.py` does what the `caretill` command does: with no arguments, the window."""

from pos_app.cli.main import run

if __name__ == "__main__":
    run()
