"""CLI commands by area. Each module imports ``app`` (and the helpers) from
:mod:`datdai.apps.commands.common` and attaches its commands with ``@app.command()``; :mod:`datdai.apps.cli`
imports them all."""
