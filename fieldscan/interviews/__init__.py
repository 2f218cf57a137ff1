"""CHW tablet interviews and patient web links, on the survey engine, offline-capable."""
