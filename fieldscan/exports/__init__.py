"""Exports of responses: CSV and XLSX tables (FHIR comes with the API issue)."""
