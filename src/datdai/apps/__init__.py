"""Adapters only: the command line (:mod:`datdai.apps.cli`, :mod:`datdai.apps.commands`), the
HTTP API and the web pages (:mod:`datdai.apps.web`), background jobs and the demo."""
