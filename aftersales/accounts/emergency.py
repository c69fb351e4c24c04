"""The emergency numbers of a site's country, shown to the agent when someone is hurt after a breakdown or an accident.

A small table in code: the numbers change once in a generation and are the
same for every site of a country. The first number of a country is the one
to call first; a country not listed gets 112, which every GSM mobile phone
routes to the local emergency services.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EmergencyNumber:
    number: str
    service: Promise


ALL_SERVICES = _("Emergency services (all)")
EMERGENCY = EmergencyNumber("112", ALL_SERVICES)
AMBULANCE = _("Ambulance and medical emergencies")
POLICE = _("Police")
FIRE = _("Fire and rescue")
TRAFFIC_POLICE = _("Traffic accident police")

# ISO 3166 code → the numbers, the one to call first at the top.
EMERGENCY_NUMBERS: dict[str, tuple[EmergencyNumber, ...]] = {
    "FR": (EMERGENCY, EmergencyNumber("15", AMBULANCE), EmergencyNumber("17", POLICE), EmergencyNumber("18", FIRE)),
    "BE": (EMERGENCY, EmergencyNumber("101", POLICE)),
    "LU": (EMERGENCY, EmergencyNumber("113", POLICE)),
    "DE": (EMERGENCY, EmergencyNumber("110", POLICE)),
    "AT": (EMERGENCY, EmergencyNumber("144", AMBULANCE), EmergencyNumber("133", POLICE), EmergencyNumber("122", FIRE)),
    "CH": (EMERGENCY, EmergencyNumber("144", AMBULANCE), EmergencyNumber("117", POLICE), EmergencyNumber("118", FIRE)),
    "IT": (EMERGENCY, EmergencyNumber("118", AMBULANCE), EmergencyNumber("113", POLICE), EmergencyNumber("115", FIRE)),
    "ES": (EMERGENCY, EmergencyNumber("091", POLICE)),
    "GB": (EmergencyNumber("999", ALL_SERVICES), EMERGENCY),
    "RU": (EMERGENCY, EmergencyNumber("103", AMBULANCE), EmergencyNumber("102", POLICE), EmergencyNumber("101", FIRE)),
    "UA": (EmergencyNumber("103", AMBULANCE), EmergencyNumber("102", POLICE), EmergencyNumber("101", FIRE), EMERGENCY),
    "KZ": (EMERGENCY, EmergencyNumber("103", AMBULANCE), EmergencyNumber("102", POLICE), EmergencyNumber("101", FIRE)),
    "BY": (EmergencyNumber("103", AMBULANCE), EmergencyNumber("102", POLICE), EmergencyNumber("101", FIRE), EMERGENCY),
    "CN": (
        EmergencyNumber("120", AMBULANCE),
        EmergencyNumber("122", TRAFFIC_POLICE),
        EmergencyNumber("110", POLICE),
        EmergencyNumber("119", FIRE),
    ),
    "US": (EmergencyNumber("911", ALL_SERVICES),),
    "CA": (EmergencyNumber("911", ALL_SERVICES),),
}


def emergency_numbers(country: str) -> tuple[EmergencyNumber, ...]:
    """The numbers to give a caller with someone hurt in ``country`` (ISO 3166), the one to call first at the top."""
    return EMERGENCY_NUMBERS.get(country.upper(), (EMERGENCY,))
