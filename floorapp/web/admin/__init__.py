"""Admin screens for integration: order-file import, webhook subscribers and deliveries, email templates."""
