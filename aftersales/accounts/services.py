from django.db import transaction

from aftersales.audit.services import record_change

from .models import User


@transaction.atomic
def set_user_language(*, user: User, language: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.language != language:
        previous = user.language
        user.language = language
        user.save(update_fields=["language"])
        record_change(actor=user, obj=user, action="update", changes={"language": [previous, language]})
    return user
