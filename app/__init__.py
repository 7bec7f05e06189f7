"""LLM Customization Advisor: the web app, JSON API and CLI around one recommendation engine."""
