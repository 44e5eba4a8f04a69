"""The monthly Project 06 report (báo cáo tháng Đề án 06): figures from the store, the office's
texts, charts, and the DOCX / XLSX / PDF renderings; roll-up of several offices' figures."""
