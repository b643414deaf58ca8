from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "sgsc.provisioning.onboarding"
    label = "onboarding"
    verbose_name = "Configurare și predarea accesului"
