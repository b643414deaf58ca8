"""Connections to outside government systems (MPass sign-in) and their local test doubles."""
