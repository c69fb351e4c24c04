"""Cards the apps above customers (messaging, the stages) add to the customer 360 page.

Customers never import them: each registers its card in its
``AppConfig.ready()``, and the customer page renders whatever is registered,
in order.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class CustomerPanel:
    name: str
    order: int
    render: Callable[[HttpRequest, object], str]


_panels: dict[str, CustomerPanel] = {}


def register_customer_panel(panel: CustomerPanel) -> None:
    _panels[panel.name] = panel


def render_customer_panels(request: HttpRequest, customer) -> list[SafeString]:
    return [mark_safe(panel.render(request, customer)) for panel in sorted(_panels.values(), key=lambda p: p.order)]
