"""The access matrix's cases for the notification centre: every page is the signed-in user's
own. Marking one read needs a notification of the user the matrix signs in as, who is created
after the URL is built: `_own_notification` books one for that user as soon as it exists."""

from types import SimpleNamespace
from typing import Any

from django.db.models.signals import post_save

from conftest import Tree
from jiceng.accounts.models import User
from jiceng.core.tests.access import Case

from ..models import Notification

#: The id of the notification booked for the matrix's next user.
BOOKED_PK = 7_000_001
_UID = "notifications-access-booking"


def _own_notification(objects: SimpleNamespace) -> dict[str, Any]:
    """The URL kwargs of a notification of the next user created (the insider of an "own"
    case: outsiders are not created for them)."""

    def book(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
        if created:
            post_save.disconnect(dispatch_uid=_UID, sender=User)
            Notification.objects.create(
                pk=BOOKED_PK, user=instance, kind="campaign.task_due", url="/", key="access"
            )

    post_save.connect(book, sender=User, dispatch_uid=_UID, weak=False)
    return {"pk": BOOKED_PK}


CASES: dict[str, Case] = {
    "notifications:list": Case("own"),
    "notifications:read": Case("own", method="post", kwargs=_own_notification, data=lambda o: {}),
    "notifications:read_all": Case("own", method="post", data=lambda o: {}),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """Nothing shared: each case's notification belongs to the user who reads it."""
