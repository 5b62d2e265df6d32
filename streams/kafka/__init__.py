"""Kafka plumbing (event codec, topic admin, produce/read, embedded broker); imports only models."""
