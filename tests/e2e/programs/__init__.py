"""Programs and metric catalogs the end-to-end tests deploy with the real CLI."""
