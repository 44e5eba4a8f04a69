"""Quality checks (làm sạch): the rule catalog, the preparation of a delivery, the runner and
the findings (docs/formats/loi-du-lieu.md)."""
