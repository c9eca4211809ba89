"""Receipts: one model built from the database, one template, many outputs (text, PDF, ESC/POS)."""
