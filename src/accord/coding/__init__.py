"""Coders: passages to labels along the codebook's dimensions, with scores and evidence."""
