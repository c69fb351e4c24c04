from .navigation import Menu


def navigation(request) -> dict:
    return {"nav": Menu(request)}
