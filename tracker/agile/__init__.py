"""Agile iterations, backlog items and customer feedback loops."""
