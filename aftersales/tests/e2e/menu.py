"""Going to a screen through the main menu, as a user does."""

from playwright.sync_api import Page


def open_from_menu(page: Page, section: str, entry: str) -> None:
    """Open the menu section's drop-down, then its entry."""
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("button", name=section).click()
    menu.get_by_role("link", name=entry).click()
