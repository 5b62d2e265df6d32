"""Kafka plumbing (event codec, topic admin, produce/read, embedded broker, TLS/SASL security and the
clients opened with it, the broker probe); imports only models."""
