"""The register has no background work of its own: publication happens in one transaction
(registry.services.entries_publish), and the obligations a law change starts are swept by the
adjustments app."""
