"""A customer's personal data in their tickets: their copy (``export``)."""
