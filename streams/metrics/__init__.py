"""Prometheus metrics: declared names, metric objects, collectors and gauges; imports only models,
and names.py only the standard library (this file imports nothing)."""
