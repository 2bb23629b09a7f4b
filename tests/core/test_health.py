from django.urls import reverse


def test_healthz_answers_ok_without_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_writes(client):
    assert client.post(reverse("healthz")).status_code == 405
