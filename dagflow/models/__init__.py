"""Models inside pipelines (the models issue fills this package)."""
