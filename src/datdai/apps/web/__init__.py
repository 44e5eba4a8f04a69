"""The web application: the API (``api/``), the pages (``ui/``) and what both share."""
