import pytest
from tests.shared_apps.exchange.test_pages import _delivered
pytestmark = pytest.mark.django_db

def test_show(handover, signed_in):
    h = handover
    _delivered(h)
    client, _u = signed_in("auditor", h.b)
    html = client.get("/schimb/").content.decode()
    print(html[html.find("<main"):html.find("</main>")])
    client, _u = signed_in("age_admin")
    html = client.get("/schimburi/").content.decode()
    print(html[html.find("<table"):html.find("</table>")])
    print(client.get("/api/v1/exchanges/").json())
