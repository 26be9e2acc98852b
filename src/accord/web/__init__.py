"""The explorer: a local web app over the store (``accord serve``).

``state.py`` opens the store and caches the analysis, ``views.py`` turns requests into plain
data, ``app.py`` serves that data as HTML pages (Jinja2, autoescaped) and as a JSON API.
"""
