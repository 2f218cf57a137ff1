"""Staff accounts: users, roles, sites and passwords."""
