from .permissions import role_of


def navigation(request) -> dict:
    return {"current_role": role_of(getattr(request, "user", None))}
