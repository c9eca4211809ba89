"""Services: one function per use case. Each takes a unit of work, commits once, returns plain data.

The window and the command line both call these; no money rule lives anywhere else.
"""
