"""The cross-app robustness tests book through the appointments suite's booking-ready site."""

from appointments.tests.conftest import booking, clock, customer, diary_advisor, technicians, vehicle

__all__ = ["booking", "clock", "customer", "diary_advisor", "technicians", "vehicle"]
