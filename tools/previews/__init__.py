"""grafana/previews/*.png: the dashboards drawn from a real Prometheus scraping a simulated run
(python -m tools.previews)."""
