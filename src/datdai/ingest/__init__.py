"""Readers for contractor deliveries and extracts; text repair; CRS handling."""
