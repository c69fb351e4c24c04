"""What later stages tell the booking desk about a vehicle.

Booking is the first stage and imports none of the later ones: the workshop
registers a provider (recommendations declined last time) in its
``AppConfig.ready()``, and the desk shows whatever the providers return.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class VehicleHint:
    text: str
    detail: str = ""


_providers: list[Callable[[object], list[VehicleHint]]] = []


def register_vehicle_hints(provider: Callable[[object], list[VehicleHint]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def vehicle_hints(vehicle) -> list[VehicleHint]:
    return [hint for provider in _providers for hint in provider(vehicle)]
