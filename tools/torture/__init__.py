"""CareTill's own torture test: worker processes as tills, faults injected, books verified.

`python -m tools.torture` starts a throwaway PostgreSQL (or uses `--db`), seeds a
facility, runs N worker processes that each act as one workstation doing random money
commands while the harness kills workers, terminates backends, holds locks past the
timeout and restarts the server; then it holds the database to the workers' own logs
and to the money invariants, prints a summary and exits non-zero on any violation.
"""
