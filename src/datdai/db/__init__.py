"""The database: engine and connection (SQLite or PostgreSQL/PostGIS), the schema, Alembic
migrations, the audit trail, and the driver-level fast reads of the hot routes. No use case here."""
