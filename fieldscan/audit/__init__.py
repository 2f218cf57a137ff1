"""The audit trail: who read or changed which patient record."""
