"""The API's schema, which its docs pages show, describes the parameters in the reader's language."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

HEADS = {
    "kk": "1: экспорттағыдай, әр тізбектің соңғы буынын қосу [тізбек, ұзындығы, соңғы буынның хэші].",
    "ru": "1: добавить последнее звено каждой цепочки [цепочка, длина, хэш последнего звена], как при экспорте.",
    "en": "1: add every chain's head [chain, length, head hash], as the export does.",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_checkpoint_heads_parameter_is_described_in_the_readers_language(client, in_language, language):
    """It was rendered once, when the module was imported (in the default language, Russian)."""
    client = in_language(language)
    client.force_login(get_user_model().objects.create_user("reader", password="x"))
    schema = client.get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/audit-checkpoints/{id}/"]["get"]["parameters"]
    (heads,) = [parameter for parameter in parameters if parameter["name"] == "heads"]
    assert heads["description"] == HEADS[language]
