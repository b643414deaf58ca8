"""pysaml2 attribute map: the attributes MPass sends, with the basic name format."""

from saml2.saml import NAME_FORMAT_BASIC

NAMES = ("FirstName", "LastName", "EmailAddress", "MobilePhone", "Language")

MAP = {
    "identifier": NAME_FORMAT_BASIC,
    "fro": {name: name for name in NAMES},
    "to": {name: name for name in NAMES},
}
