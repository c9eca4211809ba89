"""The cashier window (PySide6): views, item models and controllers over the service layer."""
