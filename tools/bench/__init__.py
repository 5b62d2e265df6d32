"""leadsla bench and leadsla bench-alerts: throughput and page latency, measured on the embedded
broker."""
