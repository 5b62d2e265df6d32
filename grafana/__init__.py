"""Grafana dashboards as code: built from the policy (build), written with provisioning
(generate, `leadsla dashboards`), previewed to PNG from a real Prometheus (preview)."""
