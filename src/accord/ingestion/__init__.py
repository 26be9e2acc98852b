"""Files and manifests in, documents with pages and passages in the store out."""
