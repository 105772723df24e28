"""Each domain's API resources (serializers, filters, viewsets): territory, registry, results."""
