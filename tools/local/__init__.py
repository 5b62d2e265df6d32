"""Real Prometheus and Alertmanager as child processes, and a webhook sink, for tests and tools."""
