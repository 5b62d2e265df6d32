"""Developer tools, not shipped (benchmarks, dashboard previews, local Prometheus/Alertmanager);
may import anything, nothing shipped imports them except the CLI's bench commands, lazily."""
