"""The report layer: an analysis result as a self-contained HTML page, Markdown or JSON.

``context.py`` turns the result into plain data, ``charts.py`` (plotly) and ``svg.py``
(matplotlib) draw it, and ``render.py`` writes the files. Import from the submodules; this
package keeps its import light so that ``import accord`` stays fast.
"""
