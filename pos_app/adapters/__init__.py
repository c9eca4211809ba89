"""Adapters: the database (tables, unit of work, migrations) behind what the services ask for."""
