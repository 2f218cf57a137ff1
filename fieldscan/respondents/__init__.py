"""Respondents: phone numbers kept encrypted, looked up by keyed hash."""
