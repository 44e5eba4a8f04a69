"""Online land services: service catalog, working-day calendar, dossiers (thủ tục hành chính)."""
