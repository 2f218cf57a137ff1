"""Leadership reports: what patients answered, by site, language and channel."""
