"""Reports for coordinators: fiscal years, inline SVG charts, CSV and Excel exports (no DB, no HTTP)."""
