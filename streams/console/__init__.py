"""The live terminal view (board, formatting, screen, its Kafka thread); imports runtime, kafka and
models."""
