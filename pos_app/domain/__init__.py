"""Domain: money, rules and errors. Standard library only, so every layer may use it."""
