"""S3 test fixtures (moto server on 127.0.0.1); filled in by the datastore work."""
