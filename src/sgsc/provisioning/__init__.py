"""Onboarding of providers: connection requests, contracts, provisioning and hand-over."""
