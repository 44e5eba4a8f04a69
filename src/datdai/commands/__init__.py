"""CLI commands by area. Each module imports ``app`` (and the helpers) from
:mod:`datdai.commands.common` and attaches its commands with ``@app.command()``; :mod:`datdai.cli`
imports them all."""
