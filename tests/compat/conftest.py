"""The programs import ``batchflow``: the tests run them with their imports changed, never import them."""
collect_ignore_glob = ['programs/*']
