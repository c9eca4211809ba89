"""`python -m tools.torture`: run the torture test (see `--help`)."""

from tools.torture.harness import main

raise SystemExit(main())
