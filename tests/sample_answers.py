"""Sample answers shared by the API and export tests."""

from __future__ import annotations

from typing import Any

#: A complete, valid children_scan interview (Spanish, structured values).
COMPLETE_CHILDREN_ANSWERS: dict[str, Any] = {
    "trusted_messenger": "Mi abuela y la promotora de la iglesia",
    "resources": "El banco de comida de San José",
    "used_services": ["school", "food_assistance"],
    "knows_rides": "no",
    "wants_ride_info": "yes",
    "child_age": 4,
    "preferred_language": "es",
    "contact_channel": "text",
    "consent_contact": "yes",
}
