"""Reconciliation of land users with the population register.

Reading the two input files (:mod:`datdai.matching.inputs`), normalising them into comparison keys
(:mod:`datdai.matching.normalise`), matching them in stages (:mod:`datdai.matching.match`) and
writing the result atomically (:mod:`datdai.matching.result`); the owners export for C06
(:mod:`datdai.matching.c06_export`); results, the review queue and enrichment in the store
(:mod:`datdai.matching.reconciliation`); reconciling the store end to end
(:mod:`datdai.matching.reconcile_store`).

The package re-exports nothing: importing one of its light modules (the comparison catalog, the
explanations a review page shows) must not load the matcher (Splink, DuckDB, Arrow).
"""
