"""Exports of responses: CSV and XLSX tables and FHIR R4 bundles, per site on request."""
