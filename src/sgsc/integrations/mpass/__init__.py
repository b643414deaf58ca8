"""MPass sign-in: every host of the platform is its own SAML 2.0 service provider."""
