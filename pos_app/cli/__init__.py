"""The `caretill` command line: parse, call a service, present the result."""
