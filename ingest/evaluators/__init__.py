"""Importers for the result files evaluators publish: METR's time-horizon YAML and Epoch AI's benchmark CSVs.

Each maps the evaluator's model names onto the registries (rules only), keeps every number's
evidence (the file's own record, with offsets) and writes each file in one atomic upsert.
"""
