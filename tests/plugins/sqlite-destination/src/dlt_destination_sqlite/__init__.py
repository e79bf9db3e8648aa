"""dlt-destination-sqlite: the example SQL destination of dlt's plugin author's guide."""
