"""Who may see what: roles per page and sites per user.

- **chw**: pages of their role, records of their own site only.
- **leadership**: records of their own site; a leader with no site leads the whole
  organisation and sees every site.
- **admin**: every site.

Views use :func:`roles_required`; queries filter with :func:`visible_site_ids` (None
means every site) and single records are checked with :func:`can_see_site`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

from fieldscan.models import Role

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role | str) -> Callable[[F], F]:
    """Let only signed-in users with one of ``roles`` reach the view.

    Anonymous visitors go to the sign-in page (401 JSON under /api); a signed-in user
    with another role gets 403.

    :param roles: role names or :class:`~fieldscan.models.Role` members; a misspelt one
        fails at import.
    """
    if not roles:
        raise ValueError("roles_required needs at least one role")
    allowed = frozenset(Role(role) for role in roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return current_app.ensure_sync(view)(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def visible_site_ids(user: Any) -> list[int] | None:
    """The ids of the sites whose records ``user`` may see; None means every site.

    An anonymous or inactive user, or a CHW without a site, sees none (``[]``).
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return []
    if user.role is Role.admin or (user.role is Role.leadership and user.site_id is None):
        return None
    return [user.site_id] if user.site_id is not None else []


def can_see_site(user: Any, site_id: int | None) -> bool:
    """Whether ``user`` may see a record of site ``site_id``.

    A record without a site is visible only to those who see every site.
    """
    visible = visible_site_ids(user)
    if visible is None:
        return True
    return site_id is not None and site_id in visible
