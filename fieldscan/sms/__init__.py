"""SMS text: segment measurement, the default question rendering and the survey SMS lint."""
