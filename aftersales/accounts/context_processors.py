from .navigation import active_url, items_for, sections_for


def navigation(request) -> dict:
    items = items_for(request.user)
    current_url = active_url(items, request.path)
    return {"nav_sections": sections_for(items, current_url), "nav_active_url": current_url}
