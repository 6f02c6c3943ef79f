"""Who may do what (R-ACCESS): permissions, roles and pure policy functions."""

from gvm.authz.permissions import Permission
from gvm.authz.policy import Actor, has_permission, may_access_person, may_see_borough
from gvm.authz.roles import ROLE_PERMISSIONS, Role

__all__ = ["ROLE_PERMISSIONS", "Actor", "Permission", "Role", "has_permission",
           "may_access_person", "may_see_borough"]
