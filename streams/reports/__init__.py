"""Reports rendered from models.report's figures: JSON, CSV, Markdown, HTML and the daily digest. Imports models only; no I/O."""
