"""The weekly digest: build (from the graph) -> render (Markdown/HTML/JSON + charts) -> deliver (files, HTTP).

Modules: ``week`` (ISO weeks), ``model`` (the Digest data), ``build`` and ``moves`` (from the graph),
``prose`` (the sentences), ``render`` and ``figures`` (templates and charts), ``deliver`` (files).
"""
