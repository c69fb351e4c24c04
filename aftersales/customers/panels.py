"""Cards the apps above customers (messaging, the stages) add to the customer 360 page and to the vehicle page.

Customers never import them: each registers its card in its
``AppConfig.ready()``, and the page renders whatever is registered, in order.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class CustomerPanel:
    """A card: ``render(request, customer)`` on the customer page, ``render(request, vehicle)`` on the vehicle page."""

    name: str
    order: int
    render: Callable[[HttpRequest, object], str]


_panels: dict[str, CustomerPanel] = {}
_vehicle_panels: dict[str, CustomerPanel] = {}


def register_customer_panel(panel: CustomerPanel) -> None:
    _panels[panel.name] = panel


def register_vehicle_panel(panel: CustomerPanel) -> None:
    _vehicle_panels[panel.name] = panel


def _rendered(panels: dict[str, CustomerPanel], request: HttpRequest, subject) -> list[SafeString]:
    return [mark_safe(panel.render(request, subject)) for panel in sorted(panels.values(), key=lambda p: p.order)]


def render_customer_panels(request: HttpRequest, customer) -> list[SafeString]:
    return _rendered(_panels, request, customer)


def render_vehicle_panels(request: HttpRequest, vehicle) -> list[SafeString]:
    return _rendered(_vehicle_panels, request, vehicle)
