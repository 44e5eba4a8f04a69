"""One rule per module (its stable code in ``RULE.code``)."""
