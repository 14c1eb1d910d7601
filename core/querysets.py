from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """Every read goes through `.restrict(user, action)`: core.permissions decides (NetBox's
    pattern); a model with no rule for the action yields nothing (deny by default)."""

    def restrict(self, user, action: str = "view"):
        from core.permissions import restrict

        return restrict(self, user, action)


class AppendOnlyQuerySet(RestrictedQuerySet):
    """The audit and event tables are append-only: bulk updates and deletes are refused here,
    and on PostgreSQL a trigger refuses them too (migration core 0002)."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} is append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} is append-only")
