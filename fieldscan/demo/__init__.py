"""Demo data: invented sites, partners, staff and responses so a first start shows reports."""
