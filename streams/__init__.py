"""leadsla's I/O around the pure core, one sub-package per concern; dependencies point down: cli,
commands -> console, simulator -> runtime -> kafka, metrics -> models (this file imports
nothing)."""
