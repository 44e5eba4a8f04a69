"""datdai — land data platform for Vietnam's land registration offices (Đề án 06)."""

__version__ = "0.1.0"
