"""Tests of sgsc.platform: settings, views, i18n and the browser journey."""  # noqa: A005
