"""Reconciliation of land users with the population register (issue 4).

Reading the two input files (:mod:`datdai.reconcile.inputs`), normalising them into
comparison keys (:mod:`datdai.reconcile.normalise`), matching them in stages
(:mod:`datdai.reconcile.match`) and writing the result atomically
(:mod:`datdai.reconcile.result`).

The package re-exports nothing: importing one of its light modules (the comparison catalog,
the explanations a review page shows) must not load the matcher (Splink, DuckDB, Arrow).
"""
