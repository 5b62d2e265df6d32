"""What the CLI's subcommands do (pipeline run, evaluation, generated files); may import every
shipped package."""
