"""The survey library in the database: loading definitions as immutable versions, listing them."""
